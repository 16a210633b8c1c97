package dev.symmim.model.finetune;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.symmim.model.checkpoint.Checkpoint;
import dev.symmim.model.checkpoint.NamedTensor;
import dev.symmim.model.checkpoint.TimmVitWeights;
import dev.symmim.model.checkpoint.TrainingState;
import dev.symmim.model.config.Precision;
import dev.symmim.model.infer.Branch;
import dev.symmim.model.random.SeededRandom;
import dev.symmim.model.runtime.TorchRuntime;
import dev.symmim.model.train.AdamW;
import dev.symmim.model.train.LearningRateSchedule;
import dev.symmim.model.vit.Parameter;
import dev.symmim.model.vit.ParameterBuffer;
import dev.symmim.model.vit.StepContext;
import dev.symmim.model.vit.VisionTransformer;
import dev.symmim.model.vit.VitSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fine-tunes an {@link ImageClassifier} end to end (METHOD.md section 6), one batch at a time:
 * softmax cross-entropy with label smoothing, optional drop-path, NaN/Inf guard, global-norm
 * gradient clipping, AdamW (betas 0.9/0.999, no decay on biases, norms, tokens) with BEiT's
 * layer-wise lr decay fused in as a per-element scale, warmup + half-cycle cosine per applied step.
 * Not thread-safe; one instance per training process. The caller owns the data: label subset
 * ({@link LabelSubsets}), order and views ({@link FineTuneViews}), all functions of seeds.
 *
 * <p>Construction: {@link #fromScratch} (random encoder) or {@link #fromPretrained} (encoder from
 * a SymMIM {@link Checkpoint}, online or momentum branch; head always fresh).
 *
 * <p>Resume seam (for the checkpoint directory and the Beam stage): {@link #state()} returns a
 * {@link FineTuneState} (config, {@link TrainingState} scalars, parameters + AdamW moments as named
 * tensors) and {@link #restore(FineTuneState, Device)} rebuilds a trainer that continues bitwise
 * identically (same thread count). Persist it like a {@link Checkpoint}: {@code config.toJson()},
 * the state record as JSON, the tensors with {@code TensorArchive}.
 *
 * <p>Inference: {@link #logits(float[])}, {@link #predict(float[])}, {@link #topK(float[], int)}
 * run the classifier in eval mode (no drop-path, no gradients) in chunks of {@value #PREDICT_CHUNK}.
 */
public final class FineTuneTrainer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FineTuneTrainer.class);
  private static final long DROP_PATH_STREAM = 0x64726F70L; // "drop"
  static final int PREDICT_CHUNK = 500;

  private final FineTuneConfig config;
  private final Device device;
  private final DataType computeType;
  private final Engine engine;
  private final NDManager root;
  private final ImageClassifier classifier;
  private final List<Parameter> parameters;
  private final ParameterBuffer buffer;
  private final AdamW optimizer;
  private final LearningRateSchedule learningRate;
  private final SeededRandom dropPathRandom;
  private long step;
  private long refusedSteps;

  /** {@code init}: tensors and prefix of a pretrained encoder, or null for a random one. */
  private FineTuneTrainer(FineTuneConfig config, Device device, Map<String, NamedTensor> init, String initPrefix) {
    this.config = config;
    this.device = device;
    TorchRuntime.configureThreads(config.threads(), config.interopThreads());
    TorchRuntime.seed(config.seed());
    this.engine = TorchRuntime.engine();
    this.computeType = TorchRuntime.computeType(Precision.FP32, device);
    this.root = NDManager.newBaseManager(device);
    NDManager parameterManager = root.newSubManager();
    this.classifier = new ImageClassifier(parameterManager, config);
    if (init != null) {
      String maskToken = initPrefix + TimmVitWeights.ENCODER + "mask_token";
      if (!init.containsKey(maskToken)) { // an imported timm encoder has none; unused when fine-tuning
        Map<String, NamedTensor> withMask = new LinkedHashMap<>(init);
        Parameter own = classifier.encoder().parameters().stream()
            .filter(p -> p.name().equals(TimmVitWeights.ENCODER + "mask_token")).findFirst().orElseThrow();
        withMask.put(maskToken, new NamedTensor(maskToken, own.array().getShape().getShape(), own.array().toFloatArray()));
        init = withMask;
      }
      classifier.loadEncoder(init, initPrefix);
    }
    this.parameters = classifier.parameters();
    this.buffer = ParameterBuffer.pack(parameters, parameterManager, true);
    FineTuneConfig.Optimization o = config.optimization();
    float[] lrScale = LayerDecay.perElement(parameters, config.encoder().depth(), o.layerDecay());
    this.optimizer = new AdamW(buffer, root.newSubManager(), o.beta1(), o.beta2(), o.epsilon(), o.weightDecay(),
        lrScale);
    this.learningRate = new LearningRateSchedule(o.peakLearningRate(), o.minLearningRate(), o.warmupSteps(),
        o.totalSteps());
    this.dropPathRandom = new SeededRandom(config.seed() ^ DROP_PATH_STREAM);
    LOG.info("fine-tune trainer: {} parameters, encoder {}", buffer.size(),
        init == null ? "random" : initPrefix.isEmpty() ? "imported (timm names)" : "from " + initPrefix);
  }

  /**
   * The encoder of a timm-named safetensors file ({@link TimmVitWeights#importEncoder}), a fresh head,
   * on the config's device. A learned position table in {@code imported} replaces the sin-cos one
   * (fixed, saved with {@link #state()}).
   */
  public static FineTuneTrainer fromImported(FineTuneConfig config, TimmVitWeights.Imported imported) {
    return fromImported(config, imported, TorchRuntime.device(config.device()));
  }

  public static FineTuneTrainer fromImported(FineTuneConfig config, TimmVitWeights.Imported imported, Device device) {
    FineTuneTrainer t = new FineTuneTrainer(config, device, imported.tensors(), "");
    if (imported.positions() != null) {
      t.classifier.encoder().setPositions(imported.positions());
    }
    return t;
  }

  /** A randomly initialised classifier on the device the config asks for. */
  public static FineTuneTrainer fromScratch(FineTuneConfig config) {
    return fromScratch(config, TorchRuntime.device(config.device()));
  }

  public static FineTuneTrainer fromScratch(FineTuneConfig config, Device device) {
    return new FineTuneTrainer(config, device, null, null);
  }

  /** The encoder of a SymMIM checkpoint's {@code branch}, a fresh head; on the config's device. */
  public static FineTuneTrainer fromPretrained(FineTuneConfig config, Checkpoint pretrained, Branch branch) {
    return fromPretrained(config, pretrained, branch, TorchRuntime.device(config.device()));
  }

  /**
   * As {@link #fromPretrained(FineTuneConfig, Checkpoint, Branch)} on {@code device}. Every encoder
   * tensor must be present with the model's shape (else an {@link IllegalArgumentException} names
   * it and both shapes), and the head count must match (shapes cannot show it). The image size may
   * differ (the sin-cos positions are recomputed); differing channel statistics are only logged.
   */
  public static FineTuneTrainer fromPretrained(FineTuneConfig config, Checkpoint pretrained, Branch branch,
      Device device) {
    String prefix = branch == Branch.ONLINE ? "online/" : "momentum/";
    VitSpec ours = config.encoder();
    VitSpec theirs = pretrained.config().encoder();
    FineTuneTrainer trainer = new FineTuneTrainer(config, device, pretrained.tensors(), prefix);
    if (ours.heads() != theirs.heads()) {
      trainer.close();
      throw new IllegalArgumentException("encoder.heads " + ours.heads() + " != the checkpoint's " + theirs.heads()
          + " (checkpoint encoder " + theirs + ")");
    }
    if (!Arrays.equals(config.channelMean(), pretrained.config().normalization().mean())
        || !Arrays.equals(config.channelStd(), pretrained.config().normalization().std())) {
      LOG.warn("fine-tune channel stats {} / {} differ from the pretraining run's {} / {}",
          Arrays.toString(config.channelMean()), Arrays.toString(config.channelStd()),
          Arrays.toString(pretrained.config().normalization().mean()), Arrays.toString(pretrained.config().normalization().std()));
    }
    return trainer;
  }

  // ---- training ----

  /**
   * One step on {@code labels.length} images, {@code N*H*W*C} floats in [0, 1] (channels
   * interleaved) at the encoder's image size, labels in [0, classes).
   */
  public FineTuneStepResult step(float[] images, int[] labels) {
    Shape shape = batchShape(images, labels.length);
    try (StepContext ctx = new StepContext(root, computeType)) {
      return step(ctx, ctx.create(images, shape), labels);
    }
  }

  private FineTuneStepResult step(StepContext ctx, NDArray images, int[] labels) {
    int n = labels.length;
    long rngBefore = dropPathRandom.state();
    List<NDArray[]> scales = dropPathScales(ctx, n);
    NDArray logits;
    NDArray loss;
    try (GradientCollector tape = engine.newGradientCollector()) {
      logits = classifier.logits(ctx, images, scales);
      loss = SmoothedCrossEntropy.loss(ctx, logits, labels, config.regularization().labelSmoothing());
      tape.backward(loss);
    }
    float lossValue = loss.getFloat();
    long[] predicted = logits.argMax(1).toLongArray();
    int correct = 0;
    for (int i = 0; i < n; i++) {
      correct += predicted[i] == labels[i] ? 1 : 0;
    }
    NDArray gradients = buffer.gradients(ctx);
    double gradNorm = Math.sqrt(gradients.square().sum().getFloat());
    double lr = learningRate.at(step);

    String reason = null;
    if (!Float.isFinite(lossValue)) {
      reason = "non-finite loss " + lossValue;
    } else if (!Double.isFinite(gradNorm)) {
      reason = "non-finite gradient norm " + gradNorm;
    }
    if (reason == null) {
      double clip = config.optimization().gradientClip();
      double scale = clip > 0 && gradNorm > clip ? clip / (gradNorm + 1e-6) : 1.0;
      optimizer.update(ctx, gradients, lr, scale);
      step++;
    } else {
      dropPathRandom.restore(rngBefore);
      refusedSteps++;
      LOG.warn("NaN guard refused fine-tune step {} ({} refused so far): {}", step, refusedSteps, reason);
    }
    buffer.zeroGradients();
    return new FineTuneStepResult(step, lossValue, lr, gradNorm, correct / (double) n, reason != null, reason);
  }

  /**
   * Stochastic depth (timm's DropPath, per sample, scaled by 1/keep): block b of L drops each of its
   * two residual branches with rate {@code dropPath * b / (L - 1)}; null when drop-path is off.
   */
  private List<NDArray[]> dropPathScales(StepContext ctx, int n) {
    double rate = config.regularization().dropPath();
    if (rate == 0) {
      return null;
    }
    int depth = config.encoder().depth();
    List<NDArray[]> out = new ArrayList<>(depth);
    for (int b = 0; b < depth; b++) {
      double r = depth == 1 ? rate : rate * b / (depth - 1);
      out.add(r == 0 ? new NDArray[2] : new NDArray[] {keepScale(ctx, n, r), keepScale(ctx, n, r)});
    }
    return out;
  }

  private NDArray keepScale(StepContext ctx, int n, double rate) {
    double keep = 1 - rate;
    float[] s = new float[n];
    for (int i = 0; i < n; i++) {
      s[i] = dropPathRandom.nextDouble() < keep ? (float) (1 / keep) : 0f;
    }
    return ctx.create(s, new Shape(n, 1, 1));
  }

  // ---- inference ----

  /** Logits, {@code N x classes} row-major, of {@code N} images (eval mode: no drop-path, no gradients). */
  public float[] logits(float[] images) {
    int per = perImage();
    int n = checkedCount(images);
    int k = config.head().numClasses();
    float[] out = new float[n * k];
    for (int start = 0; start < n; start += PREDICT_CHUNK) {
      int count = Math.min(PREDICT_CHUNK, n - start);
      float[] chunk = Arrays.copyOfRange(images, start * per, (start + count) * per);
      try (StepContext ctx = new StepContext(root, computeType)) {
        NDArray x = ctx.create(chunk, batchShape(chunk, count));
        System.arraycopy(classifier.logits(ctx, x, null).toFloatArray(), 0, out, start * k, count * k);
      }
    }
    return out;
  }

  /**
   * The encoder's features of each image in eval mode: the CLS token after the final LayerNorm, as
   * {@code symmim embed --readout=cls} (not the head's pooled input when pooling is mean).
   */
  public float[][] features(float[] images) {
    int n = checkedCount(images);
    int per = perImage();
    int d = config.encoder().dim();
    float[][] out = new float[n][];
    for (int start = 0; start < n; start += PREDICT_CHUNK) {
      int count = Math.min(PREDICT_CHUNK, n - start);
      float[] chunk = Arrays.copyOfRange(images, start * per, (start + count) * per);
      try (StepContext ctx = new StepContext(root, computeType)) {
        float[] flat = VisionTransformer.cls(classifier.encoderTokens(ctx, ctx.create(chunk, batchShape(chunk, count))))
            .toType(DataType.FLOAT32, false).toFloatArray();
        for (int i = 0; i < count; i++) {
          out[start + i] = Arrays.copyOfRange(flat, i * d, (i + 1) * d);
        }
      }
    }
    return out;
  }

  /** The top-1 class of each image. */
  public int[] predict(float[] images) {
    int[][] top = topK(images, 1);
    int[] out = new int[top.length];
    for (int i = 0; i < top.length; i++) {
      out[i] = top[i][0];
    }
    return out;
  }

  /** The {@code k} highest-scoring classes of each image, best first (ties: lower class first). */
  public int[][] topK(float[] images, int k) {
    int classes = config.head().numClasses();
    if (k < 1 || k > classes) {
      throw new IllegalArgumentException("k must be in [1, " + classes + "], got " + k);
    }
    float[] logits = logits(images);
    int n = logits.length / classes;
    int[][] out = new int[n][];
    for (int i = 0; i < n; i++) {
      final int row = i * classes;
      out[i] = java.util.stream.IntStream.range(0, classes).boxed()
          .sorted((a, b) -> Float.compare(logits[row + b], logits[row + a]))
          .limit(k).mapToInt(Integer::intValue).toArray();
    }
    return out;
  }

  private int perImage() {
    VitSpec spec = config.encoder();
    return spec.imageSize() * spec.imageSize() * spec.channels();
  }

  private int checkedCount(float[] images) {
    int per = perImage();
    if (images.length == 0 || images.length % per != 0) {
      VitSpec spec = config.encoder();
      throw new IllegalArgumentException("images must hold N >= 1 images of " + spec.imageSize() + "x"
          + spec.imageSize() + "x" + spec.channels() + " floats; got " + images.length);
    }
    return images.length / per;
  }

  private Shape batchShape(float[] images, int n) {
    VitSpec spec = config.encoder();
    if (n < 1 || images.length != (long) n * perImage()) {
      throw new IllegalArgumentException("expected " + n + " images (one per label) of " + spec.imageSize() + "x"
          + spec.imageSize() + "x" + spec.channels() + " floats, got " + images.length + " floats");
    }
    return new Shape(n, spec.imageSize(), spec.imageSize(), spec.channels());
  }

  // ---- state ----

  /** The full state for exact resume, see {@link FineTuneState}. */
  public FineTuneState state() {
    Map<String, NamedTensor> tensors = new LinkedHashMap<>();
    for (Parameter p : parameters) {
      String name = FineTuneState.PARAMETERS + p.name();
      tensors.put(name, new NamedTensor(name, p.array().getShape().getShape(), p.array().toFloatArray()));
    }
    float[] m = optimizer.firstMoment().toFloatArray();
    float[] v = optimizer.secondMoment().toFloatArray();
    for (int i = 0; i < parameters.size(); i++) {
      Parameter p = parameters.get(i);
      long[] shape = p.array().getShape().getShape();
      String mName = FineTuneState.FIRST_MOMENTS + p.name();
      String vName = FineTuneState.SECOND_MOMENTS + p.name();
      tensors.put(mName, new NamedTensor(mName, shape, buffer.slice(m, i)));
      tensors.put(vName, new NamedTensor(vName, shape, buffer.slice(v, i)));
    }
    if (!classifier.encoder().sinCosPositions()) {
      VitSpec spec = config.encoder();
      tensors.put(FineTuneState.POSITIONS, new NamedTensor(FineTuneState.POSITIONS,
          new long[] {spec.numPatches(), spec.dim()}, classifier.encoder().positions()));
    }
    TrainingState scalars = new TrainingState(step, refusedSteps, optimizer.updates(), dropPathRandom.state());
    return new FineTuneState(config, scalars, tensors);
  }

  /** A trainer that continues exactly where {@link #state()} was taken, on the config's device. */
  public static FineTuneTrainer restore(FineTuneState state) {
    return restore(state, TorchRuntime.device(state.config().device()));
  }

  public static FineTuneTrainer restore(FineTuneState state, Device device) {
    FineTuneTrainer t = new FineTuneTrainer(state.config(), device, null, null);
    t.buffer.copyFrom(t.gather(state, FineTuneState.PARAMETERS));
    ParameterBuffer.copyInto(t.optimizer.firstMoment(), t.gather(state, FineTuneState.FIRST_MOMENTS));
    ParameterBuffer.copyInto(t.optimizer.secondMoment(), t.gather(state, FineTuneState.SECOND_MOMENTS));
    t.step = state.state().step();
    t.refusedSteps = state.state().refusedSteps();
    t.optimizer.restoreUpdates(state.state().optimizerUpdates());
    t.dropPathRandom.restore(state.state().rngState());
    if (state.tensors().containsKey(FineTuneState.POSITIONS)) {
      t.classifier.encoder().setPositions(state.tensor(FineTuneState.POSITIONS).data());
    }
    return t;
  }

  /** The state tensors {@code prefix + name} of the buffer's parameters, concatenated in buffer order. */
  private float[] gather(FineTuneState state, String prefix) {
    float[] flat = new float[Math.toIntExact(buffer.size())];
    for (int i = 0; i < parameters.size(); i++) {
      Parameter p = parameters.get(i);
      NamedTensor t = state.tensor(prefix + p.name());
      if (!new Shape(t.shape()).equals(p.array().getShape())) {
        throw new IllegalArgumentException(t.name() + ": state shape " + new Shape(t.shape()) + " != model shape "
            + p.array().getShape());
      }
      System.arraycopy(t.data(), 0, flat, (int) buffer.offset(i), t.data().length);
    }
    return flat;
  }

  // ---- accessors ----

  public FineTuneConfig config() {
    return config;
  }

  public Device device() {
    return device;
  }

  public ImageClassifier classifier() {
    return classifier;
  }

  /** Applied (not refused) updates so far. */
  public long stepCount() {
    return step;
  }

  public long refusedSteps() {
    return refusedSteps;
  }

  /** The per-element lr multipliers of the optimizer (layer-wise decay), aligned with the parameter buffer. */
  public float[] learningRateScales() {
    return optimizer.learningRateScale().toFloatArray();
  }

  /** Arrays alive under this trainer's manager (parameters, moments and anything leaked). */
  public int liveArrayCount() {
    return root.getManagedArrays().size();
  }

  @Override
  public void close() {
    root.close();
  }
}
