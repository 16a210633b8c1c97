package dev.symmim.pipelines.options;

import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/** The prepared dataset a command reads. */
public interface DataOptions extends PipelineOptions {
  @Description("Prepared dataset directory (manifest.json + train/ and val/ shards, written by 'symmim prepare'); "
      + "local or gs://.")
  @Validation.Required
  String getData();

  void setData(String value);
}
