package dev.symmim.pipelines.finetune;

import dev.symmim.pipelines.options.BranchFlag;
import dev.symmim.pipelines.options.DataOptions;
import dev.symmim.pipelines.options.DeviceOptions;
import dev.symmim.pipelines.options.EncoderOptions;
import dev.symmim.pipelines.options.OutputOptions;
import dev.symmim.pipelines.options.PoolingFlag;
import dev.symmim.pipelines.options.TrainingRunOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/**
 * Options of {@code symmim finetune}: the dataset (its train labels and val split), where the encoder
 * comes from, which labels, the fine-tuning recipe (METHOD.md section 6) and the run.
 */
public interface FinetuneOptions extends DataOptions, OutputOptions, EncoderOptions, TrainingRunOptions, DeviceOptions {
  @Override
  @Description("Run directory, local or gs://: checkpoints/, metrics.jsonl, evaluations.jsonl, metrics.json "
      + "(val top-1/top-5 and the protocol), run.json (with the labelled ids). Re-running with the same flags resumes.")
  @Validation.Required
  String getOutput();

  @Description("Pretrain run directory (its latest checkpoint) or one checkpoint directory, local or gs://: the "
      + "encoder to fine-tune, and the architecture with --init=random. Without it, --init=random uses --model/--dim/...")
  String getCheckpoint();

  void setCheckpoint(String value);

  @Description("checkpoint: start from --checkpoint's encoder; random: a seeded random encoder of the same "
      + "architecture (the from-scratch baseline); or a timm-named .safetensors file, local or gs:// (symmim export's "
      + "model.safetensors or a timm VisionTransformer checkpoint): its encoder, architecture from its shapes, heads "
      + "and normalisation from its metadata (else --heads and the dataset's), the image size the dataset's "
      + "(or --viewSize; a learned pos_embed is resized, bicubic, as timm does).")
  @Default.String("checkpoint")
  String getInit();

  void setInit(String value);

  @Description("Which encoder of the checkpoint: online or momentum (its EMA copy).")
  @Default.Enum("online")
  BranchFlag getEncoder();

  void setEncoder(BranchFlag value);

  @Description("Fraction of each class's train labels to use, in (0, 1]; class-balanced, drawn with --seed, nested "
      + "(the 1% subset of a seed lies inside its 10% subset).")
  @Default.Double(1.0)
  double getLabelFraction();

  void setLabelFraction(double value);

  @Description("Use this many train labels of each class instead of --labelFraction (0: use --labelFraction).")
  @Default.Integer(0)
  int getLabelsPerClass();

  void setLabelsPerClass(int value);

  @Description("Passes over the labelled subset.")
  @Default.Integer(30)
  int getEpochs();

  void setEpochs(int value);

  @Description("Labelled images per step.")
  @Default.Integer(64)
  int getBatchSize();

  void setBatchSize(int value);

  @Description("Base learning rate; the peak is lr x batchSize / 256 (the head's; block i of L gets "
      + "x layerDecay^(L - i)). 8e-3 (with 1.6e-2) was the best of 5e-4..3.2e-2 for both arms at 600 and 6,000 "
      + "Fashion-MNIST labels (docs/finetune-calibration.md); MAE's 1e-3 assumes ~100 epochs of a large set.")
  @Default.Double(8e-3)
  double getLr();

  void setLr(double value);

  @Description("Linear warmup as a fraction of the steps, then half-cycle cosine.")
  @Default.Double(0.1)
  double getWarmupFraction();

  void setWarmupFraction(double value);

  @Description("Layer-wise learning-rate decay (MAE/BEiT), in (0, 1]; 1: none.")
  @Default.Double(0.75)
  double getLayerDecay();

  void setLayerDecay(double value);

  @Description("AdamW weight decay (not on biases, norms and tokens).")
  @Default.Double(0.05)
  double getWeightDecay();

  void setWeightDecay(double value);

  @Description("Label smoothing of the cross-entropy, in [0, 1).")
  @Default.Double(0.1)
  double getLabelSmoothing();

  void setLabelSmoothing(double value);

  @Description("Drop-path (stochastic depth) rate of the last block, in [0, 1) (0.1 for ViT-S and larger).")
  @Default.Double(0.0)
  double getDropPath();

  void setDropPath(double value);

  @Description("Smallest RandomResizedCrop area fraction of the training view (0.8 beat 0.5 by 3-5 points for both "
      + "arms at 600 Fashion-MNIST labels).")
  @Default.Double(0.8)
  double getMinScale();

  void setMinScale(double value);

  @Description("Random horizontal flips of the training view.")
  @Default.Boolean(true)
  boolean getFlip();

  void setFlip(boolean value);

  @Description("Read-out of the classifier head: cls (the CLS token) or mean (mean of the patch tokens + LayerNorm).")
  @Default.Enum("cls")
  PoolingFlag getPooling();

  void setPooling(PoolingFlag value);

  @Description("Also evaluate on the val split every this many epochs (0: only at the end).")
  @Default.Integer(0)
  int getEvalEveryEpochs();

  void setEvalEveryEpochs(int value);
}
