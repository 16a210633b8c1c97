package dev.symmim.transforms.pretrain;

import dev.symmim.transforms.training.TrainingCounters;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;

/**
 * Trains each {@link PretrainRun} to its end on one worker and outputs the final checkpoint
 * directory (a path or gs:// URI). Resumable: a retried bundle (or a re-run of the job) continues from the run's latest
 * committed checkpoint at the exact batch. Counters in this class's namespace: steps, images,
 * rollbacks, checkpoints, and the step time distribution in milliseconds.
 */
public final class RunPretraining extends PTransform<PCollection<PretrainRun>, PCollection<String>> {
  private RunPretraining() {}

  public static RunPretraining create() {
    return new RunPretraining();
  }

  @Override
  public PCollection<String> expand(PCollection<PretrainRun> runs) {
    return runs.apply("Train", ParDo.of(new RunPretrainingFn()));
  }

  static final class RunPretrainingFn extends DoFn<PretrainRun, String> {
    private final TrainingCounters counters = new TrainingCounters(RunPretraining.class);

    @ProcessElement
    public void process(@Element PretrainRun run, OutputReceiver<String> out) throws Exception {
      PretrainingLoop.Summary s = new PretrainingLoop(run, counters).run();
      out.output(s.finalCheckpoint());
    }
  }
}
