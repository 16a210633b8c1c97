package dev.symmim.pipelines;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Options of {@code symmim index}. */
public interface IndexOptions extends PipelineOptions {
  @Description("Embeddings directory written by 'symmim embed' (manifest.json + embeddings/*.avro). Local or gs://.")
  String getEmbeddings();

  void setEmbeddings(String value);

  @Description("Index directory to write: index.json (last), shard-SSSSS/ Lucene indexes, failed/. Local or gs://.")
  String getOutput();

  void setOutput(String value);

  @Description("Shards (each built on one worker, searched in parallel; unset: 1); embeddings go by a stable hash of the id.")
  // no @Default: embed defines --shards too (0 = automatic), and demo registers both
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
