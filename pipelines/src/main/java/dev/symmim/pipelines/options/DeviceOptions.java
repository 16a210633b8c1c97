package dev.symmim.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Where the model computes. */
public interface DeviceOptions extends PipelineOptions {
  @Description("auto (a GPU when the PyTorch engine reports one, else the CPU), cpu, or gpu (fails without one).")
  @Default.Enum("auto")
  DeviceFlag getDevice();

  void setDevice(DeviceFlag value);
}
