package dev.symmim.pipelines.workflows;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Options of {@code symmim demo}. */
public interface DemoOptions extends PipelineOptions {
  @Description("The dataset to prepare (IDX files), local or gs://; empty: data/fashion-mnist-subset of this checkout.")
  @Default.String("")
  String getData();

  void setData(String value);

  @Description("Directory for every stage's output and the report, local or gs://.")
  @Default.String("out/demo")
  String getOutput();

  void setOutput(String value);
}
