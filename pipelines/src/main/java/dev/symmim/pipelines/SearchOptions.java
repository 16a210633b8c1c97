package dev.symmim.pipelines;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Options of {@code symmim search}. */
public interface SearchOptions extends PipelineOptions {
  /** Output formats of {@code symmim search}. */
  enum Format {
    /** {@code id<TAB>label<TAB>score} per line. */
    text,
    /** One JSON object: the query and its neighbours. */
    json
  }

  @Description("Index directory written by 'symmim index' (local, or gs:// : copied to a local temp dir first).")
  String getIndex();

  void setIndex(String value);

  @Description("Query by an indexed record's id (the record itself is left out of the results).")
  String getId();

  void setId(String value);

  @Description("Query by an image file: prepared like 'symmim prepare' did for the indexed dataset and embedded "
      + "with --checkpoint.")
  String getImage();

  void setImage(String value);

  @Description("Pretrain run or checkpoint directory for --image; default: the checkpoint the embeddings came "
      + "from. Its model id must be the index's.")
  String getCheckpoint();

  void setCheckpoint(String value);

  @Description("Neighbours to return.")
  @Default.Integer(10)
  int getK();

  void setK(int value);

  @Description("HNSW search width per shard (Lucene's k): candidates kept while searching, >= k. Larger finds more "
      + "of the true neighbours, more slowly ('symmim bench index' measures the curve).")
  @Default.Integer(SearchCommand.DEFAULT_WIDTH)
  int getWidth();

  void setWidth(int value);

  @Description("text (id, label, score per line) or json.")
  @Default.Enum("text")
  Format getFormat();

  void setFormat(Format value);

  @Description("Device for --image: auto (GPU when present), cpu or gpu.")
  @Default.Enum("auto")
  DeviceFlag getDevice();

  void setDevice(DeviceFlag value);
}
