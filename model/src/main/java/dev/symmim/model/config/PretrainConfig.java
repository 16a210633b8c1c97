package dev.symmim.model.config;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.symmim.model.loss.ReconstructionLoss;
import dev.symmim.model.masking.MaskKind;
import dev.symmim.model.masking.Masks;
import dev.symmim.model.masking.Parity;
import dev.symmim.model.vit.VitSpec;
import java.util.Arrays;

/**
 * Everything that defines a SymMIM pretraining run. Immutable; build with {@link #builder()} or a
 * preset ({@link #tiny()}, {@link #small()}, {@link #base()}, {@link #large()}) and
 * {@link #toBuilder()}. Written as JSON next to every checkpoint and read back on resume.
 * Defaults follow METHOD.md section 3.
 */
public final class PretrainConfig {
  // Encoder.
  private final int imageSize;
  private final int patchSize;
  private final int channels;
  private final int dim;
  private final int depth;
  private final int heads;
  private final int mlpRatio;
  // Heads (MoCo v3).
  private final int projectorHidden;
  private final int projectorOut;
  private final int predictorHidden;
  // Masks.
  private final MaskKind maskKind;
  private final Parity parity;
  private final int maskBlock;
  private final double randomMaskRatio;
  private final int randomMaskBlock;
  private final double blockMaskRatio;
  // Losses.
  private final ReconstructionLoss reconstructionLoss;
  private final double temperature;
  private final double contrastiveWeight;
  private final boolean symmetricContrastive;
  // Optimization (all step-based; callers convert epochs to steps).
  private final int batchSize;
  private final double baseLearningRate;
  private final double minLearningRate;
  private final double weightDecay;
  private final double beta1;
  private final double beta2;
  private final double adamEpsilon;
  private final long warmupSteps;
  private final long totalSteps;
  private final double gradientClip;
  private final double momentumStart;
  private final double momentumEnd;
  // Data.
  private final float[] channelMean;
  private final float[] channelStd;
  private final double view1MinScale;
  private final double view2MinScale;
  // System.
  private final long seed;
  private final Precision precision;
  private final DeviceKind device;
  private final int threads;
  private final int interopThreads;

  private PretrainConfig(Builder b) {
    imageSize = b.imageSize;
    patchSize = b.patchSize;
    channels = b.channels;
    dim = b.dim;
    depth = b.depth;
    heads = b.heads;
    mlpRatio = b.mlpRatio;
    projectorHidden = b.projectorHidden;
    projectorOut = b.projectorOut;
    predictorHidden = b.predictorHidden;
    maskKind = b.maskKind;
    parity = b.parity;
    maskBlock = b.maskBlock;
    randomMaskRatio = b.randomMaskRatio;
    randomMaskBlock = b.randomMaskBlock;
    blockMaskRatio = b.blockMaskRatio;
    reconstructionLoss = b.reconstructionLoss;
    temperature = b.temperature;
    contrastiveWeight = b.contrastiveWeight;
    symmetricContrastive = b.symmetricContrastive;
    batchSize = b.batchSize;
    baseLearningRate = b.baseLearningRate;
    minLearningRate = b.minLearningRate;
    weightDecay = b.weightDecay;
    beta1 = b.beta1;
    beta2 = b.beta2;
    adamEpsilon = b.adamEpsilon;
    warmupSteps = b.warmupSteps;
    totalSteps = b.totalSteps;
    gradientClip = b.gradientClip;
    momentumStart = b.momentumStart;
    momentumEnd = b.momentumEnd;
    channelMean = b.channelMean.clone();
    channelStd = b.channelStd.clone();
    view1MinScale = b.view1MinScale;
    view2MinScale = b.view2MinScale;
    seed = b.seed;
    precision = b.precision;
    device = b.device;
    threads = b.threads;
    interopThreads = b.interopThreads;
    validate();
  }

  /** Cross-field checks; every message names the field and the bad value. */
  private void validate() {
    VitSpec spec = encoder(); // checks image/patch/channels/dims
    check(projectorHidden > 0 && projectorOut > 0 && predictorHidden > 0,
        "head sizes must be positive: projectorHidden=" + projectorHidden + " projectorOut=" + projectorOut
            + " predictorHidden=" + predictorHidden);
    check(maskKind != null && parity != null && reconstructionLoss != null && precision != null && device != null,
        "enum fields must be set");
    if (maskKind == MaskKind.SYMMETRIC) {
      Masks.requireDivides(spec.grid(), maskBlock, "maskBlock (k of M2)");
    }
    if (maskKind == MaskKind.BLOCKS) {
      Masks.requireDivides(spec.grid(), randomMaskBlock, "randomMaskBlock");
    }
    check(randomMaskRatio > 0 && randomMaskRatio < 1, "randomMaskRatio must be in (0,1), got " + randomMaskRatio);
    check(blockMaskRatio > 0 && blockMaskRatio < 1, "blockMaskRatio must be in (0,1), got " + blockMaskRatio);
    check(temperature > 0, "temperature must be > 0, got " + temperature);
    check(contrastiveWeight >= 0, "contrastiveWeight must be >= 0, got " + contrastiveWeight);
    check(batchSize >= 2, "batchSize must be >= 2 (InfoNCE and BatchNorm need a batch), got " + batchSize);
    check(baseLearningRate > 0, "baseLearningRate must be > 0, got " + baseLearningRate);
    check(totalSteps > 0, "totalSteps must be > 0, got " + totalSteps);
    check(warmupSteps >= 0 && warmupSteps <= totalSteps,
        "warmupSteps must be in [0, totalSteps=" + totalSteps + "], got " + warmupSteps);
    check(gradientClip >= 0, "gradientClip must be >= 0 (0 = off), got " + gradientClip);
    check(momentumStart >= 0 && momentumStart <= momentumEnd && momentumEnd <= 1,
        "need 0 <= momentumStart <= momentumEnd <= 1, got " + momentumStart + ", " + momentumEnd);
    check(channelMean.length == channels && channelStd.length == channels,
        "channelMean/channelStd need " + channels + " values, got " + Arrays.toString(channelMean) + " / "
            + Arrays.toString(channelStd));
    for (float s : channelStd) {
      check(s > 0, "channelStd values must be > 0, got " + Arrays.toString(channelStd));
    }
    check(view1MinScale > 0 && view1MinScale <= 1, "view1MinScale must be in (0,1], got " + view1MinScale);
    check(view2MinScale > 0 && view2MinScale <= 1, "view2MinScale must be in (0,1], got " + view2MinScale);
    check(threads >= 0 && interopThreads >= 0, "threads must be >= 0 (0 = engine default)");
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  // ---- presets ----

  /** ViT-Tiny (192/12/3) at 32 px, patch 4, small heads (1024 hidden, 256 out). */
  public static PretrainConfig tiny() {
    return builder().encoder(VitSpec.Size.TINY.spec(32, 4, 3)).heads(1024, 256, 1024).build();
  }

  /** ViT-S/16 at 224 px, MoCo v3 heads (4096 hidden, 256 out). */
  public static PretrainConfig small() {
    return builder().encoder(VitSpec.Size.SMALL.spec(224, 16, 3)).build();
  }

  /** ViT-B/16 at 224 px. */
  public static PretrainConfig base() {
    return builder().encoder(VitSpec.Size.BASE.spec(224, 16, 3)).build();
  }

  /** ViT-L/16 at 224 px. */
  public static PretrainConfig large() {
    return builder().encoder(VitSpec.Size.LARGE.spec(224, 16, 3)).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  // ---- JSON ----

  private static final Gson GSON =
      new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

  public String toJson() {
    return GSON.toJson(this);
  }

  /** Parses and validates; missing fields take the builder defaults. */
  public static PretrainConfig fromJson(String json) {
    Builder b = GSON.fromJson(json, Builder.class);
    return b.build();
  }

  // ---- derived values ----

  public VitSpec encoder() {
    return new VitSpec(imageSize, patchSize, channels, dim, depth, heads, mlpRatio);
  }

  /** Peak learning rate: {@code baseLearningRate * batchSize / 256} (MAE/SimMIM linear scaling). */
  public double peakLearningRate() {
    return baseLearningRate * batchSize / 256.0;
  }

  // ---- getters ----

  public int imageSize() { return imageSize; }
  public int patchSize() { return patchSize; }
  public int channels() { return channels; }
  public int projectorHidden() { return projectorHidden; }
  public int projectorOut() { return projectorOut; }
  public int predictorHidden() { return predictorHidden; }
  public MaskKind maskKind() { return maskKind; }
  public Parity parity() { return parity; }
  public int maskBlock() { return maskBlock; }
  public double randomMaskRatio() { return randomMaskRatio; }
  public int randomMaskBlock() { return randomMaskBlock; }
  public double blockMaskRatio() { return blockMaskRatio; }
  public ReconstructionLoss reconstructionLoss() { return reconstructionLoss; }
  public double temperature() { return temperature; }
  public double contrastiveWeight() { return contrastiveWeight; }
  public boolean symmetricContrastive() { return symmetricContrastive; }
  public int batchSize() { return batchSize; }
  public double baseLearningRate() { return baseLearningRate; }
  public double minLearningRate() { return minLearningRate; }
  public double weightDecay() { return weightDecay; }
  public double beta1() { return beta1; }
  public double beta2() { return beta2; }
  public double adamEpsilon() { return adamEpsilon; }
  public long warmupSteps() { return warmupSteps; }
  public long totalSteps() { return totalSteps; }
  public double gradientClip() { return gradientClip; }
  public double momentumStart() { return momentumStart; }
  public double momentumEnd() { return momentumEnd; }
  public float[] channelMean() { return channelMean.clone(); }
  public float[] channelStd() { return channelStd.clone(); }
  public double view1MinScale() { return view1MinScale; }
  public double view2MinScale() { return view2MinScale; }
  public long seed() { return seed; }
  public Precision precision() { return precision; }
  public DeviceKind device() { return device; }
  public int threads() { return threads; }
  public int interopThreads() { return interopThreads; }

  @Override
  public boolean equals(Object o) {
    return o instanceof PretrainConfig c && c.toJson().equals(toJson());
  }

  @Override
  public int hashCode() {
    return toJson().hashCode();
  }

  @Override
  public String toString() {
    return toJson();
  }

  /** Mutable builder; {@link #build()} validates. Field names equal the JSON keys. */
  public static final class Builder {
    private int imageSize = 32;
    private int patchSize = 4;
    private int channels = 3;
    private int dim = 192;
    private int depth = 12;
    private int heads = 3;
    private int mlpRatio = 4;
    private int projectorHidden = 4096;
    private int projectorOut = 256;
    private int predictorHidden = 4096;
    private MaskKind maskKind = MaskKind.SYMMETRIC;
    private Parity parity = Parity.FIXED;
    private int maskBlock = 2;
    private double randomMaskRatio = 0.75;
    private int randomMaskBlock = 2;
    private double blockMaskRatio = 0.6;
    private ReconstructionLoss reconstructionLoss = ReconstructionLoss.L1;
    private double temperature = 0.2;
    private double contrastiveWeight = 1.0;
    private boolean symmetricContrastive = false;
    private int batchSize = 256;
    private double baseLearningRate = 1.5e-4;
    private double minLearningRate = 0.0;
    private double weightDecay = 0.05;
    private double beta1 = 0.9;
    private double beta2 = 0.95;
    private double adamEpsilon = 1e-8;
    private long warmupSteps = 0;
    private long totalSteps = 1000;
    private double gradientClip = 5.0;
    private double momentumStart = 0.99;
    private double momentumEnd = 1.0;
    private float[] channelMean = {0.5f, 0.5f, 0.5f};
    private float[] channelStd = {0.25f, 0.25f, 0.25f};
    private double view1MinScale = 0.2;
    private double view2MinScale = 0.08;
    private long seed = 0;
    private Precision precision = Precision.FP32;
    private DeviceKind device = DeviceKind.AUTO;
    private int threads = 0;
    private int interopThreads = 0;

    private Builder() {}

    private Builder(PretrainConfig c) {
      imageSize = c.imageSize;
      patchSize = c.patchSize;
      channels = c.channels;
      dim = c.dim;
      depth = c.depth;
      heads = c.heads;
      mlpRatio = c.mlpRatio;
      projectorHidden = c.projectorHidden;
      projectorOut = c.projectorOut;
      predictorHidden = c.predictorHidden;
      maskKind = c.maskKind;
      parity = c.parity;
      maskBlock = c.maskBlock;
      randomMaskRatio = c.randomMaskRatio;
      randomMaskBlock = c.randomMaskBlock;
      blockMaskRatio = c.blockMaskRatio;
      reconstructionLoss = c.reconstructionLoss;
      temperature = c.temperature;
      contrastiveWeight = c.contrastiveWeight;
      symmetricContrastive = c.symmetricContrastive;
      batchSize = c.batchSize;
      baseLearningRate = c.baseLearningRate;
      minLearningRate = c.minLearningRate;
      weightDecay = c.weightDecay;
      beta1 = c.beta1;
      beta2 = c.beta2;
      adamEpsilon = c.adamEpsilon;
      warmupSteps = c.warmupSteps;
      totalSteps = c.totalSteps;
      gradientClip = c.gradientClip;
      momentumStart = c.momentumStart;
      momentumEnd = c.momentumEnd;
      channelMean = c.channelMean.clone();
      channelStd = c.channelStd.clone();
      view1MinScale = c.view1MinScale;
      view2MinScale = c.view2MinScale;
      seed = c.seed;
      precision = c.precision;
      device = c.device;
      threads = c.threads;
      interopThreads = c.interopThreads;
    }

    /** Image size, patch, channels and transformer dims from a spec. */
    public Builder encoder(VitSpec s) {
      imageSize = s.imageSize();
      patchSize = s.patchSize();
      channels = s.channels();
      dim = s.dim();
      depth = s.depth();
      heads = s.heads();
      mlpRatio = s.mlpRatio();
      if (channelMean.length != channels) {
        channelMean = filled(channels, 0.5f);
        channelStd = filled(channels, 0.25f);
      }
      return this;
    }

    private static float[] filled(int n, float v) {
      float[] a = new float[n];
      Arrays.fill(a, v);
      return a;
    }

    public Builder heads(int projectorHidden, int projectorOut, int predictorHidden) {
      this.projectorHidden = projectorHidden;
      this.projectorOut = projectorOut;
      this.predictorHidden = predictorHidden;
      return this;
    }

    public Builder maskKind(MaskKind v) { maskKind = v; return this; }
    public Builder parity(Parity v) { parity = v; return this; }
    /** k of M2 in patches (mask block size / patch size). */
    public Builder maskBlock(int v) { maskBlock = v; return this; }
    public Builder randomMaskRatio(double v) { randomMaskRatio = v; return this; }
    public Builder randomMaskBlock(int v) { randomMaskBlock = v; return this; }
    public Builder blockMaskRatio(double v) { blockMaskRatio = v; return this; }
    public Builder reconstructionLoss(ReconstructionLoss v) { reconstructionLoss = v; return this; }
    public Builder temperature(double v) { temperature = v; return this; }
    public Builder contrastiveWeight(double v) { contrastiveWeight = v; return this; }
    public Builder symmetricContrastive(boolean v) { symmetricContrastive = v; return this; }
    public Builder batchSize(int v) { batchSize = v; return this; }
    public Builder baseLearningRate(double v) { baseLearningRate = v; return this; }
    public Builder minLearningRate(double v) { minLearningRate = v; return this; }
    public Builder weightDecay(double v) { weightDecay = v; return this; }
    public Builder betas(double b1, double b2) { beta1 = b1; beta2 = b2; return this; }
    public Builder adamEpsilon(double v) { adamEpsilon = v; return this; }
    public Builder warmupSteps(long v) { warmupSteps = v; return this; }
    public Builder totalSteps(long v) { totalSteps = v; return this; }

    /**
     * Step-based schedule from epochs, with METHOD.md's warmup rule: 40 warmup epochs, 10 when
     * training for at most 300 epochs, and never more than half of the run.
     */
    public Builder epochs(int epochs, long stepsPerEpoch) {
      if (epochs <= 0 || stepsPerEpoch <= 0) {
        throw new IllegalArgumentException("epochs and stepsPerEpoch must be positive, got " + epochs + ", "
            + stepsPerEpoch);
      }
      long warmupEpochs = Math.min(epochs <= 300 ? 10 : 40, epochs / 2);
      totalSteps = epochs * stepsPerEpoch;
      warmupSteps = warmupEpochs * stepsPerEpoch;
      return this;
    }
    public Builder gradientClip(double v) { gradientClip = v; return this; }
    public Builder momentum(double start, double end) { momentumStart = start; momentumEnd = end; return this; }
    public Builder channelStats(float[] mean, float[] std) { channelMean = mean.clone(); channelStd = std.clone(); return this; }
    public Builder view1MinScale(double v) { view1MinScale = v; return this; }
    public Builder view2MinScale(double v) { view2MinScale = v; return this; }
    public Builder seed(long v) { seed = v; return this; }
    public Builder precision(Precision v) { precision = v; return this; }
    public Builder device(DeviceKind v) { device = v; return this; }
    /** Intra-op and inter-op torch threads; 0 keeps the engine default. */
    public Builder threads(int intraOp, int interOp) { threads = intraOp; interopThreads = interOp; return this; }

    public PretrainConfig build() {
      return new PretrainConfig(this);
    }
  }
}
