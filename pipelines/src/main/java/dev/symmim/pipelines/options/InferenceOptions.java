package dev.symmim.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** Batched inference: images per forward pass and the device. */
public interface InferenceOptions extends DeviceOptions {
  @Description("Images per forward pass (batches are formed before the inference step).")
  @Default.Integer(256)
  int getBatchSize();

  void setBatchSize(int value);
}
