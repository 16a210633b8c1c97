package dev.symmim.pipelines.bench;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Options of {@code symmim bench embed}. */
public interface EmbedBenchOptions extends PipelineOptions {
  @Description("Prepared dataset to embed (default: Fashion-MNIST from --fashionMnist, prepared into --workDir once).")
  String getData();

  void setData(String value);

  @Description("Fashion-MNIST IDX directory, prepared when --data is not given.")
  @Default.String("/usr/share/datasets/fashion-mnist")
  String getFashionMnist();

  void setFashionMnist(String value);

  @Description("Checkpoint to embed with (default: a freshly initialized model of --dim/--depth; speed does not depend on the weights).")
  String getCheckpoint();

  void setCheckpoint(String value);

  @Description("Encoder width of the generated checkpoint.")
  @Default.Integer(64)
  int getDim();

  void setDim(int value);

  @Description("Encoder depth of the generated checkpoint.")
  @Default.Integer(4)
  int getDepth();

  void setDepth(int value);

  @Description("Images per forward pass, in the stage and in the model-only loop.")
  @Default.Integer(256)
  int getBatchSize();

  void setBatchSize(int value);

  @Description("Scratch directory.")
  @Default.String("out/bench-embed")
  String getWorkDir();

  void setWorkDir(String value);
}
