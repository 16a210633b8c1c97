package dev.symmim.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** How a training run executes: seed, threads, checkpoints, logging, NaN guard. */
public interface TrainingRunOptions extends PipelineOptions {
  @Description("Seed of initialization, data order, views and masks.")
  @Default.Long(0)
  long getSeed();

  void setSeed(long value);

  @Description("Stages the epochs are split into; a checkpoint is committed at the end of each.")
  @Default.Integer(1)
  int getStages();

  void setStages(int value);

  @Description("Also commit a checkpoint every this many steps (0: only at stage ends).")
  @Default.Long(0)
  long getCheckpointEverySteps();

  void setCheckpointEverySteps(long value);

  @Description("Also commit a checkpoint every this many minutes of training (0: none), so that a worker lost "
      + "without notice loses at most this much work; a SIGTERM (preemption notice) commits one before exit.")
  @Default.Double(10)
  double getCheckpointEveryMinutes();

  void setCheckpointEveryMinutes(double value);

  @Description("Pin torch threads (--threads, default 1 intra-op, 1 inter-op) so that CPU runs are bitwise "
      + "reproducible and resumable.")
  @Default.Boolean(false)
  boolean getDeterministic();

  void setDeterministic(boolean value);

  @Description("Torch intra-op threads (0: torch's default, or 1 with --deterministic).")
  @Default.Integer(0)
  int getThreads();

  void setThreads(int value);

  @Description("Background threads decoding images and making the augmented views.")
  @Default.Integer(1)
  int getLoaderThreads();

  void setLoaderThreads(int value);

  @Description("Write one metrics.jsonl record every N steps.")
  @Default.Integer(1)
  int getMetricsEverySteps();

  void setMetricsEverySteps(int value);

  @Description("NaN-guard rollbacks allowed before the run stops with an error.")
  @Default.Integer(3)
  int getMaxRollbacks();

  void setMaxRollbacks(int value);
}
