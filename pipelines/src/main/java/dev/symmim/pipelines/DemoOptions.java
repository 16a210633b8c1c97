package dev.symmim.pipelines;

import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Options of {@code symmim demo}. */
public interface DemoOptions extends PipelineOptions {
  @Description("The dataset to prepare (IDX files), local or gs://; defaults to data/fashion-mnist-subset under symmim.home.")
  String getData();

  void setData(String value);

  @Description("Directory for every stage's output and the report, local or gs:// (default out/demo).")
  String getOutput();

  void setOutput(String value);
}
