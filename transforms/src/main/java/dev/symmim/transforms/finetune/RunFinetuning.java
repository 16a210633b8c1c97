package dev.symmim.transforms.finetune;

import dev.symmim.transforms.evaluate.MetricsJson;
import dev.symmim.transforms.training.TrainingCounters;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;

/**
 * Trains each {@link FinetuneRun} to its end on one worker, evaluates it and outputs its
 * {@link FinetuneResult} as JSON. Resumable: a retried bundle (or a re-run of the job) continues
 * from the run's latest committed checkpoint at the exact batch. Counters in this class's
 * namespace: steps, images, rollbacks, checkpoints, and the step time distribution in milliseconds.
 */
public final class RunFinetuning extends PTransform<PCollection<FinetuneRun>, PCollection<String>> {
  private RunFinetuning() {}

  public static RunFinetuning create() {
    return new RunFinetuning();
  }

  @Override
  public PCollection<String> expand(PCollection<FinetuneRun> runs) {
    return runs.apply("Train", ParDo.of(new RunFinetuningFn()));
  }

  static final class RunFinetuningFn extends DoFn<FinetuneRun, String> {
    private final TrainingCounters counters = new TrainingCounters(RunFinetuning.class);

    @ProcessElement
    public void process(@Element FinetuneRun run, OutputReceiver<String> out) throws Exception {
      FinetuneResult r = new FinetuningTask(run).run(counters);
      out.output(MetricsJson.write(r));
    }
  }
}
