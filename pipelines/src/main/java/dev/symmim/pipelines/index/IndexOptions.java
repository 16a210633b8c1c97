package dev.symmim.pipelines.index;

import org.apache.beam.sdk.options.Validation;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import dev.symmim.pipelines.options.EmbeddingsInputOptions;
import dev.symmim.pipelines.options.OutputOptions;

/** Options of {@code symmim index}; {@code --output} gets index.json (last), shard-SSSSS/ Lucene indexes, failed/. */
public interface IndexOptions extends EmbeddingsInputOptions, OutputOptions {
  @Override
  @Description("Index directory to write: index.json (last), shard-SSSSS/ Lucene indexes, failed/. Local or gs://.")
  @Validation.Required
  String getOutput();

  @Description("Index shards (each built on one worker, searched in parallel); embeddings go by a stable hash of the id.")
  @Default.Integer(1)
  int getShards();

  void setShards(int value);

  @Description("HNSW graph: maximum connections per node.")
  @Default.Integer(16)
  int getM();

  void setM(int value);

  @Description("HNSW graph: candidate list size while building (larger: better graph, slower build).")
  @Default.Integer(100)
  int getEfConstruction();

  void setEfConstruction(int value);
}
