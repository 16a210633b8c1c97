package dev.symmim.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** The ViT encoder's architecture. */
public interface EncoderOptions extends PipelineOptions {
  @Description("ViT preset: tiny (192 wide, 12 deep, 3 heads), small (384/12/6), base (768/12/12), large "
      + "(1024/24/16). --dim, --depth and --heads override it.")
  @Default.Enum("tiny")
  ModelSize getModel();

  void setModel(ModelSize value);

  @Description("Encoder width (0: the preset's).")
  @Default.Integer(0)
  int getDim();

  void setDim(int value);

  @Description("Encoder depth in blocks (0: the preset's).")
  @Default.Integer(0)
  int getDepth();

  void setDepth(int value);

  @Description("Attention heads (0: the preset's); must divide the width.")
  @Default.Integer(0)
  int getHeads();

  void setHeads(int value);

  @Description("Patch size in pixels; the image size must be a multiple of it.")
  @Default.Integer(4)
  int getPatchSize();

  void setPatchSize(int value);

  @Description("Training image size in pixels (0: the dataset's).")
  @Default.Integer(0)
  int getViewSize();

  void setViewSize(int value);
}
