package dev.symmim.pipelines.index;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import dev.symmim.pipelines.options.DeviceOptions;
import org.apache.beam.sdk.options.Validation;

/** Options of {@code symmim search}. */
public interface SearchOptions extends DeviceOptions {
  @Description("Index directory written by 'symmim index' (local, or gs:// : copied to a local temp dir first).")
  @Validation.Required
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

  @Description("Print one JSON object (query, neighbours with id, split, label, labelName, score) instead of "
      + "'id<TAB>label<TAB>score' lines. (Not --format: prepare's --format is another type.)")
  @Default.Boolean(false)
  boolean getJson();

  void setJson(boolean value);
}
