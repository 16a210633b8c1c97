package dev.symmim.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** The two views of SymMIM pretraining. */
public interface AugmentationOptions extends PipelineOptions {
  @Description("Smallest RandomResizedCrop area fraction of view 1 (online branch, light).")
  @Default.Double(0.2)
  double getView1MinScale();

  void setView1MinScale(double value);

  @Description("Smallest RandomResizedCrop area fraction of view 2 (momentum branch).")
  @Default.Double(0.08)
  double getView2MinScale();

  void setView2MinScale(double value);

  @Description("Recipe of view 2 (momentum branch): strong (METHOD.md: crop, colour jitter, grayscale, blur, solarize, "
      + "flip) or light (crop at --view2MinScale and flip only, as view 1).")
  @Default.Enum("strong")
  View2Flag getView2();

  void setView2(View2Flag value);
}
