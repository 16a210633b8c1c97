package dev.symmim.pipelines.bench;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Options of {@code symmim bench prepare}. */
public interface PrepareBenchOptions extends PipelineOptions {
  @Description("Directory with the Fashion-MNIST IDX files (Debian package dataset-fashion-mnist).")
  @Default.String("/usr/share/datasets/fashion-mnist")
  String getFashionMnist();

  void setFashionMnist(String value);

  @Description("Image files to generate for the folder benchmark (JPEG and PNG, half each).")
  @Default.Integer(2000)
  int getImages();

  void setImages(int value);

  @Description("Side in pixels of the generated folder images (photo-like sizes; decoding dominates).")
  @Default.Integer(640)
  int getFolderImageSize();

  void setFolderImageSize(int value);

  @Description("Scratch directory for generated images and outputs.")
  @Default.String("out/bench-prepare")
  String getWorkDir();

  void setWorkDir(String value);
}
