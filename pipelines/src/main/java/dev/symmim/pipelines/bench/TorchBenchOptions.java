package dev.symmim.pipelines.bench;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/** Options of {@code symmim bench train|embed --against=pytorch}: one model, batch and thread count for both sides. */
public interface TorchBenchOptions extends PipelineOptions {
  @Description("What to compare against: pytorch (plain PyTorch eager, run by --python, interleaved in blocks).")
  @Validation.Required
  String getAgainst();

  void setAgainst(String value);

  @Description("Python interpreter with torch (Debian's python3-torch; infra/dev/install-test-deps.sh installs it).")
  @Default.String("/usr/bin/python3")
  String getPython();

  void setPython(String value);

  @Description("Image side in pixels.")
  @Default.Integer(32)
  int getImageSize();

  void setImageSize(int value);

  @Description("Image channels.")
  @Default.Integer(1)
  int getChannels();

  void setChannels(int value);

  @Description("Patch side in pixels.")
  @Default.Integer(4)
  int getPatchSize();

  void setPatchSize(int value);

  @Description("Encoder width.")
  @Default.Integer(64)
  int getDim();

  void setDim(int value);

  @Description("Encoder depth.")
  @Default.Integer(4)
  int getDepth();

  void setDepth(int value);

  @Description("Attention heads.")
  @Default.Integer(4)
  int getHeads();

  void setHeads(int value);

  @Description("Hidden width of the projector and predictor (train only).")
  @Default.Integer(1024)
  int getHeadHidden();

  void setHeadHidden(int value);

  @Description("Output width of the projector and predictor (train only).")
  @Default.Integer(256)
  int getHeadOut();

  void setHeadOut(int value);

  @Description("Images per step (train: per view) or per forward pass (embed).")
  @Default.Integer(64)
  int getBatchSize();

  void setBatchSize(int value);

  @Description("Intra-op threads on both sides (inter-op: 1).")
  @Default.Integer(1)
  int getThreads();

  void setThreads(int value);

  @Description("Measured rounds; each runs a DJL block, then a PyTorch block.")
  @Default.Integer(5)
  int getRounds();

  void setRounds(int value);

  @Description("Steps (or forward passes) per block.")
  @Default.Integer(10)
  int getStepsPerBlock();

  void setStepsPerBlock(int value);

  @Description("Unmeasured rounds first (warm-up: allocator, JIT, caches).")
  @Default.Integer(1)
  int getWarmupRounds();

  void setWarmupRounds(int value);

  @Description("Seed of both sides' weights and inputs (speed does not depend on them).")
  @Default.Long(0)
  long getSeed();

  void setSeed(long value);
}
