package dev.symmim.pipelines.options;

import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/** Where a command writes. */
public interface OutputOptions extends PipelineOptions {
  @Description("Output directory, local or gs:// (see the command's description for what it holds).")
  @Validation.Required
  String getOutput();

  void setOutput(String value);
}
