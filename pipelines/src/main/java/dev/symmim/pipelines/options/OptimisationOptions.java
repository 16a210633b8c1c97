package dev.symmim.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** The optimiser and its schedule (AdamW, linear warmup, cosine decay). */
public interface OptimisationOptions extends PipelineOptions {
  @Description("Passes over the train split.")
  @Default.Integer(10)
  int getEpochs();

  void setEpochs(int value);

  @Description("Images per step.")
  @Default.Integer(64)
  int getBatchSize();

  void setBatchSize(int value);

  @Description("Base learning rate; the peak is lr x batchSize / 256 (METHOD.md default 1.5e-4).")
  @Default.Double(1.5e-4)
  double getLr();

  void setLr(double value);

  @Description("Linear warmup in epochs (may be fractional); -1: METHOD.md's rule, 10 epochs (40 beyond 300), "
      + "at most half the run.")
  @Default.Double(-1)
  double getWarmupEpochs();

  void setWarmupEpochs(double value);
}
