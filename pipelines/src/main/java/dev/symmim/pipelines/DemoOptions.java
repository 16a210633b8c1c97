package dev.symmim.pipelines;

import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Options of {@code symmim demo}. */
public interface DemoOptions extends PipelineOptions {
  @Description("The shipped dataset (IDX files); defaults to data/fashion-mnist-subset under symmim.home.")
  String getData();

  void setData(String value);

  @Description("Directory for every stage's output and the report (default out/demo).")
  String getOutput();

  void setOutput(String value);
}
