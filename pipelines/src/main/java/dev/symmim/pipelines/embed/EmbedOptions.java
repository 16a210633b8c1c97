package dev.symmim.pipelines.embed;

import org.apache.beam.sdk.options.Validation;
import dev.symmim.pipelines.options.DataOptions;
import dev.symmim.pipelines.options.EncoderFlag;
import dev.symmim.pipelines.options.InferenceOptions;
import dev.symmim.pipelines.options.OutputOptions;
import dev.symmim.pipelines.options.VertexCrowdingFlag;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/**
 * Options of {@code symmim embed}: every split of {@code --data} is embedded into {@code --output}
 * (manifest.json, embeddings/*.avro, vertex/*.json, vertex-index-metadata.json, failed/).
 */
public interface EmbedOptions extends DataOptions, OutputOptions, InferenceOptions {
  @Override
  @Description("Output directory: manifest.json, embeddings/*.avro, vertex/*.json, vertex-index-metadata.json, "
      + "failed/. Local or gs://.")
  @Validation.Required
  String getOutput();

  @Description("Pretrain run directory (its latest checkpoint) or one checkpoint directory; local or gs:// "
      + "(downloaded once per JVM). Not needed for --encoder=pixels.")
  String getCheckpoint();

  void setCheckpoint(String value);

  @Description("online (SymMIM's trained encoder), momentum (its EMA copy), random (same architecture, initial "
      + "weights: a baseline), pixels (standardized raw pixels: a baseline) or centredPixels (raw pixels minus the "
      + "train split's mean image: the strongest simple raw-pixel baseline).")
  @Default.Enum("online")
  EncoderFlag getEncoder();

  void setEncoder(EncoderFlag value);

  @Description("Read-out of a checkpoint encoder: cls (METHOD.md's CLS token), last4 (CLS of the last 4 blocks "
      + "concatenated), mean (mean patch token), grid2 / grid4 (patch tokens averaged over a 2x2 / 4x4 grid, keeping "
      + "the layout), or parts joined by + (e.g. cls+grid2).")
  @Default.String("cls")
  String getReadout();

  void setReadout(String value);

  @Description("Output part files (0: one per 50000 embeddings; at most 5000, Vertex AI's import limit).")
  @Default.Integer(0)
  int getShards();

  void setShards(int value);

  @Description("crowding_tag of each Vertex AI Vector Search record in vertex/*.json: none, or label (the example's "
      + "class, so a query can cap the neighbours per class; unlabelled examples get none).")
  @Default.Enum("none")
  VertexCrowdingFlag getVertexCrowdingTag();

  void setVertexCrowdingTag(VertexCrowdingFlag value);

  @Description("approximateNeighborsCount of the Vertex AI index in vertex-index-metadata.json: neighbours the "
      + "tree-AH search finds before exact reordering.")
  @Default.Integer(150)
  int getVertexNeighbors();

  void setVertexNeighbors(int value);
}
