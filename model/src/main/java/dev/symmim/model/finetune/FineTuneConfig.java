package dev.symmim.model.finetune;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.symmim.model.config.DeviceKind;
import dev.symmim.model.vit.VitSpec;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * Everything that defines a fine-tuning run (METHOD.md section 6: the MAE/BEiT recipe scaled to
 * small data), as an immutable record of a few grouped records. Build with
 * {@link #builder(VitSpec, int)} / {@link #toBuilder()}; every component validates itself and
 * messages name the field and the bad value. Written as JSON ({@link #toJson()}) next to every
 * fine-tuning state and read back on resume ({@link #fromJson}: missing keys take the defaults).
 * Compute is fp32 (see {@code TorchRuntime.computeType}: DJL 0.36 cannot train in bf16).
 *
 * @param encoder the ViT (must match the pretraining checkpoint's encoder when initialised from one)
 * @param head read-out and classifier
 * @param optimization AdamW, schedule, layer-wise lr decay, clipping (all step-based)
 * @param regularization label smoothing, drop-path
 * @param augmentation the training view (RandomResizedCrop + flip)
 * @param channelMean per-channel mean subtracted from [0, 1] pixels (use the pretraining run's)
 * @param channelStd per-channel std dividing them
 * @param seed head init, drop-path RNG (the encoder's random init too, when not pretrained)
 * @param device where to train
 * @param threads torch intra-op threads, 0 = engine default
 * @param interopThreads torch inter-op threads, 0 = engine default
 */
public record FineTuneConfig(VitSpec encoder, Head head, Optimization optimization, Regularization regularization,
    Augmentation augmentation, float[] channelMean, float[] channelStd, long seed, DeviceKind device, int threads,
    int interopThreads) {

  public FineTuneConfig {
    check(encoder != null, "encoder must be set");
    check(head != null && optimization != null && regularization != null && augmentation != null,
        "head, optimization, regularization and augmentation must be set");
    check(device != null, "device must be set");
    check(channelMean != null && channelStd != null, "channelMean and channelStd must be set");
    channelMean = channelMean.clone();
    channelStd = channelStd.clone();
    check(channelMean.length == encoder.channels() && channelStd.length == encoder.channels(),
        "channelMean/channelStd need encoder.channels=" + encoder.channels() + " values, got "
            + Arrays.toString(channelMean) + " / " + Arrays.toString(channelStd));
    for (float s : channelStd) {
      check(s > 0 && Float.isFinite(s), "channelStd values must be finite and > 0, got " + Arrays.toString(channelStd));
    }
    for (float m : channelMean) {
      check(Float.isFinite(m), "channelMean values must be finite, got " + Arrays.toString(channelMean));
    }
    check(threads >= 0, "threads must be >= 0 (0 = engine default), got " + threads);
    check(interopThreads >= 0, "interopThreads must be >= 0 (0 = engine default), got " + interopThreads);
  }

  /**
   * The read-out and classifier.
   *
   * @param numClasses output classes (>= 2)
   * @param pooling CLS (METHOD.md default) or MEAN_PATCH (+ a fresh LayerNorm, MAE's fc_norm)
   * @param initStd std of the head weight's normal init (MAE: 2e-5; bias 0)
   */
  public record Head(int numClasses, HeadPooling pooling, double initStd) {
    public Head {
      check(numClasses >= 2, "head.numClasses must be >= 2, got " + numClasses);
      check(pooling != null, "head.pooling must be set (CLS or MEAN_PATCH)");
      check(initStd >= 0 && Double.isFinite(initStd), "head.initStd must be finite and >= 0, got " + initStd);
    }
  }

  /**
   * AdamW with warmup + half-cycle cosine, layer-wise lr decay and clipping.
   *
   * @param batchSize images per step (also the linear-scaling denominator's numerator)
   * @param baseLearningRate peak lr = base x batchSize / 256 (MAE/BEiT scaling)
   * @param minLearningRate the cosine's floor
   * @param warmupSteps linear warmup from 0, in steps
   * @param totalSteps steps of the whole run
   * @param weightDecay decoupled, not on biases, norms and tokens
   * @param beta1 AdamW beta1
   * @param beta2 AdamW beta2
   * @param epsilon AdamW epsilon
   * @param layerDecay BEiT's layer-wise lr decay in (0, 1]: block i of L gets decay^(L-i), embeddings decay^(L+1)
   * @param gradientClip max global gradient L2 norm, 0 = off
   */
  public record Optimization(int batchSize, double baseLearningRate, double minLearningRate, long warmupSteps,
      long totalSteps, double weightDecay, double beta1, double beta2, double epsilon, double layerDecay,
      double gradientClip) {
    public Optimization {
      check(batchSize >= 1, "optimization.batchSize must be >= 1, got " + batchSize);
      check(baseLearningRate > 0 && Double.isFinite(baseLearningRate),
          "optimization.baseLearningRate must be finite and > 0, got " + baseLearningRate);
      check(minLearningRate >= 0 && minLearningRate <= baseLearningRate * batchSize / 256.0,
          "optimization.minLearningRate must be in [0, peak lr " + baseLearningRate * batchSize / 256.0 + "], got "
              + minLearningRate);
      check(totalSteps > 0, "optimization.totalSteps must be > 0, got " + totalSteps);
      check(warmupSteps >= 0 && warmupSteps <= totalSteps,
          "optimization.warmupSteps must be in [0, totalSteps=" + totalSteps + "], got " + warmupSteps);
      check(weightDecay >= 0 && Double.isFinite(weightDecay),
          "optimization.weightDecay must be finite and >= 0, got " + weightDecay);
      check(beta1 >= 0 && beta1 < 1, "optimization.beta1 must be in [0, 1), got " + beta1);
      check(beta2 >= 0 && beta2 < 1, "optimization.beta2 must be in [0, 1), got " + beta2);
      check(epsilon > 0, "optimization.epsilon must be > 0, got " + epsilon);
      check(layerDecay > 0 && layerDecay <= 1, "optimization.layerDecay must be in (0, 1], got " + layerDecay);
      check(gradientClip >= 0 && Double.isFinite(gradientClip),
          "optimization.gradientClip must be finite and >= 0 (0 = off), got " + gradientClip);
    }

    /** {@code baseLearningRate * batchSize / 256}. */
    public double peakLearningRate() {
      return baseLearningRate * batchSize / 256.0;
    }
  }

  /**
   * @param labelSmoothing in [0, 1): target = (1 - s) one-hot + s / classes
   * @param dropPath stochastic-depth rate of the last block in [0, 1), rising linearly from 0 at block 0
   */
  public record Regularization(double labelSmoothing, double dropPath) {
    public Regularization {
      check(labelSmoothing >= 0 && labelSmoothing < 1,
          "regularization.labelSmoothing must be in [0, 1), got " + labelSmoothing);
      check(dropPath >= 0 && dropPath < 1, "regularization.dropPath must be in [0, 1), got " + dropPath);
    }
  }

  /**
   * @param minScale RandomResizedCrop area scale range [minScale, 1] (1 = no crop)
   * @param flip horizontal flip with probability 0.5
   */
  public record Augmentation(double minScale, boolean flip) {
    public Augmentation {
      check(minScale > 0 && minScale <= 1, "augmentation.minScale must be in (0, 1], got " + minScale);
    }
  }

  // ---- defaults and building ----

  /**
   * METHOD.md section 6 defaults for a model and class count (base lr 1e-3, batch 64, crops 0.5-1 +
   * flip, 1,000 steps with 100 warmup); see {@link #smallDataRecipe} for the calibrated one.
   */
  public static Builder builder(VitSpec encoder, int numClasses) {
    return new Builder(encoder, numClasses);
  }

  /**
   * The recipe calibrated on Fashion-MNIST for the README's tiny CPU encoder (dim 64, depth 4,
   * patch 4, 32 px), fair to SymMIM-init and scratch alike (docs/finetune-calibration.md): batch
   * 64, base lr 8e-3 (peak 2e-3; METHOD.md's 1e-3 underfits short runs), 10% warmup + cosine,
   * layer decay 0.75, RandomResizedCrop(0.8-1) + flip, label smoothing 0.1, no drop-path, clip 5.
   * Steps were calibrated per label count: 1,500 for 60 labels per class, 3,000 for 600 per class.
   */
  public static Builder smallDataRecipe(VitSpec encoder, int numClasses, long totalSteps) {
    return builder(encoder, numClasses).batchSize(64).baseLearningRate(8e-3).schedule(totalSteps, 0.1)
        .augmentation(0.8, true);
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Peak learning rate, see {@link Optimization#peakLearningRate()}. */
  public double peakLearningRate() {
    return optimization.peakLearningRate();
  }

  @Override
  public float[] channelMean() {
    return channelMean.clone();
  }

  @Override
  public float[] channelStd() {
    return channelStd.clone();
  }

  // ---- JSON ----

  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

  public String toJson() {
    return GSON.toJson(this);
  }

  /**
   * Parses and validates. Keys missing from {@code json} (e.g. a field added after the file was
   * written) take the defaults of {@link #builder(VitSpec, int)} for its encoder and class count.
   */
  public static FineTuneConfig fromJson(String json) {
    JsonObject given = JsonParser.parseString(json).getAsJsonObject();
    check(given.has("encoder") && given.has("head") && given.getAsJsonObject("head").has("numClasses"),
        "fine-tune config JSON needs encoder and head.numClasses");
    VitSpec encoder = GSON.fromJson(given.get("encoder"), VitSpec.class);
    int numClasses = given.getAsJsonObject("head").get("numClasses").getAsInt();
    JsonObject merged = JsonParser.parseString(builder(encoder, numClasses).build().toJson()).getAsJsonObject();
    mergeInto(merged, given);
    return GSON.fromJson(merged, FineTuneConfig.class);
  }

  private static void mergeInto(JsonObject target, JsonObject source) {
    for (Map.Entry<String, JsonElement> e : source.entrySet()) {
      JsonElement existing = target.get(e.getKey());
      if (existing != null && existing.isJsonObject() && e.getValue().isJsonObject()) {
        mergeInto(existing.getAsJsonObject(), e.getValue().getAsJsonObject());
      } else {
        target.add(e.getKey(), e.getValue());
      }
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FineTuneConfig c && c.toJson().equals(toJson());
  }

  @Override
  public int hashCode() {
    return toJson().hashCode();
  }

  @Override
  public String toString() {
    return toJson();
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** Mutable builder over the records; {@link #build()} validates. */
  public static final class Builder {
    private VitSpec encoder;
    private int numClasses;
    private HeadPooling pooling = HeadPooling.CLS;
    private double headInitStd = 2e-5;
    private int batchSize = 64;
    private double baseLearningRate = 1e-3;
    private double minLearningRate = 1e-6;
    private long warmupSteps = 100;
    private long totalSteps = 1000;
    private double weightDecay = 0.05;
    private double beta1 = 0.9;
    private double beta2 = 0.999;
    private double epsilon = 1e-8;
    private double layerDecay = 0.75;
    private double gradientClip = 5.0;
    private double labelSmoothing = 0.1;
    private double dropPath = 0.0;
    private double minScale = 0.5;
    private boolean flip = true;
    private float[] channelMean;
    private float[] channelStd;
    private long seed = 0;
    private DeviceKind device = DeviceKind.AUTO;
    private int threads = 0;
    private int interopThreads = 0;

    private Builder(VitSpec encoder, int numClasses) {
      this.encoder = Objects.requireNonNull(encoder, "encoder");
      this.numClasses = numClasses;
      this.channelMean = filled(encoder.channels(), 0.5f);
      this.channelStd = filled(encoder.channels(), 0.25f);
    }

    private Builder(FineTuneConfig c) {
      encoder = c.encoder;
      numClasses = c.head.numClasses();
      pooling = c.head.pooling();
      headInitStd = c.head.initStd();
      Optimization o = c.optimization;
      batchSize = o.batchSize();
      baseLearningRate = o.baseLearningRate();
      minLearningRate = o.minLearningRate();
      warmupSteps = o.warmupSteps();
      totalSteps = o.totalSteps();
      weightDecay = o.weightDecay();
      beta1 = o.beta1();
      beta2 = o.beta2();
      epsilon = o.epsilon();
      layerDecay = o.layerDecay();
      gradientClip = o.gradientClip();
      labelSmoothing = c.regularization.labelSmoothing();
      dropPath = c.regularization.dropPath();
      minScale = c.augmentation.minScale();
      flip = c.augmentation.flip();
      channelMean = c.channelMean.clone();
      channelStd = c.channelStd.clone();
      seed = c.seed;
      device = c.device;
      threads = c.threads;
      interopThreads = c.interopThreads;
    }

    private static float[] filled(int n, float v) {
      float[] a = new float[n];
      Arrays.fill(a, v);
      return a;
    }

    public Builder encoder(VitSpec v) { encoder = v; return this; }
    public Builder numClasses(int v) { numClasses = v; return this; }
    public Builder pooling(HeadPooling v) { pooling = v; return this; }
    public Builder headInitStd(double v) { headInitStd = v; return this; }
    public Builder batchSize(int v) { batchSize = v; return this; }
    public Builder baseLearningRate(double v) { baseLearningRate = v; return this; }
    public Builder minLearningRate(double v) { minLearningRate = v; return this; }
    public Builder warmupSteps(long v) { warmupSteps = v; return this; }
    public Builder totalSteps(long v) { totalSteps = v; return this; }

    /** {@code totalSteps} and {@code warmupSteps = round(warmupFraction * totalSteps)} (METHOD.md: 10%). */
    public Builder schedule(long totalSteps, double warmupFraction) {
      check(warmupFraction >= 0 && warmupFraction <= 1, "warmupFraction must be in [0, 1], got " + warmupFraction);
      this.totalSteps = totalSteps;
      this.warmupSteps = Math.round(warmupFraction * totalSteps);
      return this;
    }

    public Builder weightDecay(double v) { weightDecay = v; return this; }
    public Builder betas(double b1, double b2) { beta1 = b1; beta2 = b2; return this; }
    public Builder epsilon(double v) { epsilon = v; return this; }
    public Builder layerDecay(double v) { layerDecay = v; return this; }
    public Builder gradientClip(double v) { gradientClip = v; return this; }
    public Builder labelSmoothing(double v) { labelSmoothing = v; return this; }
    public Builder dropPath(double v) { dropPath = v; return this; }
    public Builder augmentation(double minScale, boolean flip) { this.minScale = minScale; this.flip = flip; return this; }
    public Builder channelStats(float[] mean, float[] std) { channelMean = mean.clone(); channelStd = std.clone(); return this; }
    public Builder seed(long v) { seed = v; return this; }
    public Builder device(DeviceKind v) { device = v; return this; }
    /** Intra-op and inter-op torch threads; 0 keeps the engine default. */
    public Builder threads(int intraOp, int interOp) { threads = intraOp; interopThreads = interOp; return this; }

    public FineTuneConfig build() {
      return new FineTuneConfig(encoder, new Head(numClasses, pooling, headInitStd),
          new Optimization(batchSize, baseLearningRate, minLearningRate, warmupSteps, totalSteps, weightDecay, beta1,
              beta2, epsilon, layerDecay, gradientClip),
          new Regularization(labelSmoothing, dropPath), new Augmentation(minScale, flip), channelMean, channelStd,
          seed, device, threads, interopThreads);
    }
  }
}
