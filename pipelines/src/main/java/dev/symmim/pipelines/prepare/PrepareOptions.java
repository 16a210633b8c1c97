package dev.symmim.pipelines.prepare;

import dev.symmim.transforms.images.ImageFormat;
import dev.symmim.transforms.images.PixelStorage;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import dev.symmim.pipelines.options.OutputOptions;
import org.apache.beam.sdk.options.Validation;

/** Options of {@code symmim prepare}; {@code --output} gets train/, val/, failed/ and manifest.json. */
public interface PrepareOptions extends OutputOptions {
  @Override
  @Description("Directory for train/ and val/ shards, failed/ (dead letters) and manifest.json; local or gs://.")
  @Validation.Required
  String getOutput();

  @Description("Images to prepare: a directory, a glob or a file; local or gs://.")
  @Validation.Required
  String getInput();

  void setInput(String value);

  @Description("Input layout: auto (from file names), folder, idx or cifar.")
  @Default.Enum("auto")
  ImageFormat getFormat();

  void setFormat(ImageFormat value);

  @Description("Side of the square output images in pixels (shorter side resized, then center-cropped).")
  @Default.Integer(32)
  int getImageSize();

  void setImageSize(int value);

  @Description("Output channels: 1 (grey) or 3 (RGB).")
  @Default.Integer(1)
  int getChannels();

  void setChannels(int value);

  @Description("Fraction of examples put in val when the source carries no split of its own, in [0, 1).")
  @Default.Double(0.1)
  double getValFraction();

  void setValFraction(double value);

  @Description("Shards per split; 0 = as many as --targetShardMB requires.")
  @Default.Integer(0)
  int getNumShards();

  void setNumShards(int value);

  @Description("With --numShards=0: the largest shard size in MiB.")
  @Default.Integer(128)
  int getTargetShardMB();

  void setTargetShardMB(int value);

  @Description("Pixel storage in the shards: raw (uint8) or png.")
  @Default.Enum("raw")
  PixelStorage getStorage();

  void setStorage(PixelStorage value);

  @Description("Seed of the train/val split hash.")
  @Default.Long(0)
  long getSeed();

  void setSeed(long value);

  @Description("Replace a dataset already in --output (without it, prepare refuses to write over one).")
  @Default.Boolean(false)
  boolean getOverwrite();

  void setOverwrite(boolean value);

  @Description("Refuse images whose declared width x height exceeds this, before decoding (decompression bombs).")
  @Default.Long(64L << 20)
  long getMaxPixels();

  void setMaxPixels(long value);
}
