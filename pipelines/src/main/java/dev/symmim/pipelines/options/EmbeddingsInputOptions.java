package dev.symmim.pipelines.options;

import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/** The embeddings directory a command reads. */
public interface EmbeddingsInputOptions extends PipelineOptions {
  @Description("Embeddings directory written by 'symmim embed' (manifest.json + embeddings/*.avro); local or gs://.")
  @Validation.Required
  String getEmbeddings();

  void setEmbeddings(String value);
}
