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

  @Description("Smallest RandomResizedCrop area fraction of view 2 (momentum branch, strong).")
  @Default.Double(0.08)
  double getView2MinScale();

  void setView2MinScale(double value);
}
