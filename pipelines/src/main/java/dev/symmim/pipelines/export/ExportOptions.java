package dev.symmim.pipelines.export;

import dev.symmim.pipelines.options.BranchFlag;
import dev.symmim.pipelines.options.OutputOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/** Options of {@code symmim export}: which checkpoint's encoder, and where the files go. */
public interface ExportOptions extends OutputOptions {
  @Description("Pretrain run, finetune run (their latest checkpoint) or one checkpoint directory, local or gs://.")
  @Validation.Required
  String getCheckpoint();

  void setCheckpoint(String value);

  @Override
  @Description("Directory to write model.safetensors, config.json and README.md into, local or gs://.")
  @Validation.Required
  String getOutput();

  @Description("Which encoder of a pretraining checkpoint: online or momentum (its EMA copy). A fine-tuning "
      + "checkpoint has only the online one.")
  @Default.Enum("online")
  BranchFlag getEncoder();

  void setEncoder(BranchFlag value);
}
