package dev.symmim.pipelines;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Hidden;
import org.apache.beam.sdk.options.PipelineOptions;

/** Options of {@code symmim pretrain}. */
public interface PretrainOptions extends PipelineOptions {
  @Description("Prepared dataset directory (manifest.json + train/ shards); local or gs://.")
  String getData();

  void setData(String value);

  @Description("Run directory, local or gs://: checkpoints/, metrics.jsonl, run.json. Re-running with the same flags resumes.")
  String getOutput();

  void setOutput(String value);

  @Description("ViT preset: tiny (192/12/3), small, base, large. --dim/--depth/--heads override it.")
  @Default.Enum("tiny")
  ModelSize getModel();

  void setModel(ModelSize value);

  @Description("Encoder width override (0: the preset's).")
  @Default.Integer(0)
  int getDim();

  void setDim(int value);

  @Description("Encoder depth override (0: the preset's).")
  @Default.Integer(0)
  int getDepth();

  void setDepth(int value);

  @Description("Attention heads override (0: the preset's).")
  @Default.Integer(0)
  int getHeads();

  void setHeads(int value);

  @Description("Projector/predictor hidden width (0: 1024 for tiny, 4096 otherwise).")
  @Default.Integer(0)
  int getHeadHidden();

  void setHeadHidden(int value);

  @Description("Projector output width.")
  @Default.Integer(256)
  int getHeadOut();

  void setHeadOut(int value);

  @Description("Patch size in pixels; the image size must be a multiple of it.")
  @Default.Integer(4)
  int getPatchSize();

  void setPatchSize(int value);

  @Description("Training image size (views are resized to it; 0: the dataset's).")
  @Default.Integer(0)
  int getViewSize();

  void setViewSize(int value);

  @Description("Large-scale mask block k in patches (M2); must divide the patch grid side.")
  @Default.Integer(2)
  int getMaskBlock();

  void setMaskBlock(int value);

  @Description("Masking: symmetric (SymMIM), random (MAE, 75%) or block (SimMIM, 60%).")
  @Default.Enum("symmetric")
  MaskFlag getMask();

  void setMask(MaskFlag value);

  @Description("Parity s of the symmetric masks: fixed (s = 0, as in the paper) or random (per sample).")
  @Default.Enum("fixed")
  ParityFlag getParity();

  void setParity(ParityFlag value);

  @Description("Masked fraction of --mask=random (MAE-style; METHOD.md default 0.75).")
  @Default.Double(0.75)
  double getMaskRatio();

  void setMaskRatio(double value);

  @Description("Passes over the train split.")
  @Default.Integer(10)
  int getEpochs();

  void setEpochs(int value);

  // No @Default for flags other commands also define with another default (one JVM registers them all in demo/ablate).
  @Description("Images per step (unset: 64).")
  int getBatchSize();

  void setBatchSize(int value);

  @Description("Base learning rate (peak = lr x batch/256; METHOD.md default 1.5e-4).")
  @Default.Double(1.5e-4)
  double getLr();

  void setLr(double value);

  @Description("Linear warmup in epochs (may be fractional); -1: METHOD.md's rule, 10 epochs (40 beyond 300), "
      + "at most half the run.")
  @Default.Double(-1)
  double getWarmupEpochs();

  void setWarmupEpochs(double value);

  @Description("InfoNCE temperature tau of the contrastive loss (unset: 0.2).")
  double getTemperature();

  void setTemperature(double value);

  @Description("Weight lambda of the contrastive loss: L = L_mim + lambda * L_con.")
  @Default.Double(1.0)
  double getContrastiveWeight();

  void setContrastiveWeight(double value);

  @Description("EMA momentum at the start; it rises to 1 on a cosine over the run.")
  @Default.Double(0.99)
  double getMomentum();

  void setMomentum(double value);

  @Description("Smallest RandomResizedCrop area fraction of view 1 (online branch, light).")
  @Default.Double(0.2)
  double getView1MinScale();

  void setView1MinScale(double value);

  @Description("Smallest RandomResizedCrop area fraction of view 2 (momentum branch, strong).")
  @Default.Double(0.08)
  double getView2MinScale();

  void setView2MinScale(double value);

  @Description("Stages the epochs are split into; a checkpoint is committed at the end of each.")
  @Default.Integer(1)
  int getStages();

  void setStages(int value);

  @Description("Also commit a checkpoint every this many steps (0: only at stage ends).")
  @Default.Long(0)
  long getCheckpointEverySteps();

  void setCheckpointEverySteps(long value);

  @Description("auto (GPU when present, else CPU), cpu, or gpu (fails when there is none).")
  @Default.Enum("auto")
  DeviceFlag getDevice();

  void setDevice(DeviceFlag value);

  @Description("Pin torch threads (--threads, default 1 intra-op, 1 inter-op) so CPU runs are bitwise reproducible and resumable.")
  @Default.Boolean(false)
  boolean getDeterministic();

  void setDeterministic(boolean value);

  @Description("Torch intra-op threads (0: torch's default, or 1 with --deterministic).")
  @Default.Integer(0)
  int getThreads();

  void setThreads(int value);

  @Description("Background threads decoding images and making the two views.")
  @Default.Integer(1)
  int getLoaderThreads();

  void setLoaderThreads(int value);

  @Description("Seed of initialization, data order, views and masks.")
  @Default.Long(0)
  long getSeed();

  void setSeed(long value);

  @Description("Use only the first N train images (0: all).")
  @Default.Integer(0)
  int getMaxImages();

  void setMaxImages(int value);

  @Description("Write one metrics.jsonl record every N steps.")
  @Default.Integer(1)
  int getMetricsEverySteps();

  void setMetricsEverySteps(int value);

  @Description("NaN-guard rollbacks allowed before the run stops with an error.")
  @Default.Integer(3)
  int getMaxRollbacks();

  void setMaxRollbacks(int value);

  @Description("Benchmark: time this many steps of the bare training loop on one in-memory batch, in blocks of 5 "
      + "interleaved with the stage's steps (loader paused meanwhile), and log full-stage vs bare img/s (0: skip).")
  @Default.Integer(0)
  int getBenchBareSteps();

  void setBenchBareSteps(int value);

  @Hidden
  @Description("Fault injection for tests: comma-separated batch indices whose first view is NaN.")
  @Default.String("")
  String getFaultBatches();

  void setFaultBatches(String value);
}
