package dev.symmim.pipelines.pretrain;

import org.apache.beam.sdk.options.Validation;
import dev.symmim.pipelines.options.AugmentationOptions;
import dev.symmim.pipelines.options.ContrastiveOptions;
import dev.symmim.pipelines.options.DataOptions;
import dev.symmim.pipelines.options.DeviceOptions;
import dev.symmim.pipelines.options.EncoderOptions;
import dev.symmim.pipelines.options.MaskOptions;
import dev.symmim.pipelines.options.OptimisationOptions;
import dev.symmim.pipelines.options.OutputOptions;
import dev.symmim.pipelines.options.TrainingRunOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Hidden;

/**
 * Options of {@code symmim pretrain}: the dataset, the run directory ({@code --output}: checkpoints/,
 * metrics.jsonl, run.json; re-running with the same flags resumes), the encoder, the contrastive
 * branch, the masks, the views, the optimiser and the run.
 */
public interface PretrainOptions extends DataOptions, OutputOptions, EncoderOptions, ContrastiveOptions, MaskOptions,
    AugmentationOptions, OptimisationOptions, TrainingRunOptions, DeviceOptions {
  @Override
  @Description("Run directory, local or gs://: checkpoints/, metrics.jsonl, run.json. Re-running with the same flags resumes.")
  @Validation.Required
  String getOutput();

  @Description("Use only the first N train images (0: all).")
  @Default.Integer(0)
  int getMaxImages();

  void setMaxImages(int value);

  @Description("Benchmark: time this many steps of the bare training loop on one in-memory batch, in blocks of 5 "
      + "interleaved with the stage's steps (loader paused meanwhile), and log full-stage vs bare img/s (0: skip).")
  @Default.Integer(0)
  int getBenchBareSteps();

  void setBenchBareSteps(int value);

  @Description("Initialise the online and momentum encoders from a timm-named .safetensors file, local or gs:// "
      + "(symmim export's model.safetensors or a timm VisionTransformer checkpoint of the same architecture; the "
      + "mask token and heads start fresh, the positions stay sin-cos). Empty: the seeded random initialisation.")
  @Default.String("")
  String getInit();

  void setInit(String value);

  @Hidden
  @Description("Fault injection for tests: comma-separated batch indices whose first view is NaN.")
  @Default.String("")
  String getFaultBatches();

  void setFaultBatches(String value);
}
