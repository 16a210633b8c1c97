package dev.symmim.transforms.training;

import java.io.IOException;
import java.nio.file.Path;

/**
 * What a training stage (pretraining, fine-tuning) plugs into {@link TrainingLoop}: how to make and
 * restore its trainer, its batches, and what its {@code run.json} says. The loop owns everything
 * else (run directory, checkpoints, resume, NaN rollbacks, metrics, progress).
 *
 * @param <B> the batch type of the stage
 */
public interface TrainingTask<B> extends AutoCloseable {
  /** The stage's name: the prefix of its log lines ({@code pretrain}, {@code finetune}). */
  String name();

  /** Which images make up each batch, and the epochs. */
  BatchPlan plan();

  /** Batches of the whole run. */
  long totalBatches();

  /** A new trainer at step 0. */
  Trainer<B> create();

  /**
   * The trainer of the committed checkpoint in {@code dir}; refuses one written with another
   * configuration, naming {@code location} (where the checkpoint is committed).
   */
  Trainer<B> restore(Path dir, String location) throws IOException;

  /** Batches {@code [from, to)} of the plan, made ahead on background threads. */
  BatchSource<B> batches(long from, long to);

  /** Writes the run's {@code run.json} (config, data, flags) to {@code file}; called once, when a run starts. */
  void writeRunFile(Path file) throws IOException;

  /**
   * Runs once per attempt, after the restore, before the first batch: {@code firstBatch} is where
   * this attempt starts; {@code events} takes the task's own scalars (an evaluation's) until the run ends.
   */
  default void start(RunDirectory dir, long firstBatch, TensorBoardLog events) throws IOException {}

  /** Runs after each trained batch (a benchmark block, an evaluation); returns the seconds it took. */
  default double afterBatch(long batchesDone, Trainer<B> trainer, BatchSource<B> batches) throws IOException {
    return 0;
  }

  /**
   * Runs once when the last batch is trained, before the run directory is closed: a final
   * evaluation, say, whose files it writes to {@code dir.local()} and {@link RunDirectory#publish}es.
   */
  default void finish(TrainingLoop.Summary summary, Trainer<B> trainer, RunDirectory dir) throws IOException {}

  @Override
  default void close() {}
}
