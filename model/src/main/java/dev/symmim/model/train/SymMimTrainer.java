package dev.symmim.model.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.symmim.model.checkpoint.Checkpoint;
import dev.symmim.model.checkpoint.NamedTensor;
import dev.symmim.model.checkpoint.TrainingState;
import dev.symmim.model.config.DeviceKind;
import dev.symmim.model.config.Masking;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.model.masking.MaskSampler;
import dev.symmim.model.random.SeededRandom;
import dev.symmim.model.runtime.TorchRuntime;
import dev.symmim.model.vit.Parameter;
import dev.symmim.model.vit.ParameterBuffer;
import dev.symmim.model.vit.Patches;
import dev.symmim.model.vit.StepContext;
import dev.symmim.model.vit.VitSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains SymMIM one batch at a time. Each {@link #step} takes the two augmented views of a batch
 * ({@code N x H x W x C} floats in [0, 1], channels interleaved), draws the masks, runs the
 * momentum branch (no grad; without its mask for {@link Masking.TeacherMask#NONE}), the online
 * branch under the gradient tape, guards against NaN/Inf, clips, applies AdamW, then the EMA update. Schedules are driven by the applied-step counter and
 * {@code config.schedule().totalSteps()}. Not thread-safe; one instance per training process.
 */
public final class SymMimTrainer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SymMimTrainer.class);

  private final PretrainConfig config;
  private final Device device;
  private final DataType computeType;
  private final Engine engine;
  private final NDManager root;
  private final SymMimModel model;
  private final List<Parameter> trainable;
  private final ParameterBuffer online;
  private final ParameterBuffer momentumCopy;
  private final AdamW optimizer;
  private final MaskSampler masks;
  private final SeededRandom random;
  private final LearningRateSchedule learningRate;
  private final MomentumSchedule momentum;
  private long step;
  private long refusedSteps;

  /** A trainer on the device the config asks for ({@link DeviceKind#AUTO}: GPU if present). */
  public SymMimTrainer(PretrainConfig config) {
    this(config, TorchRuntime.device(config.run().device()));
  }

  public SymMimTrainer(PretrainConfig config, Device device) {
    this.config = config;
    this.device = device;
    TorchRuntime.configureThreads(config.run().threads(), config.run().interopThreads());
    TorchRuntime.seed(config.run().seed());
    this.engine = TorchRuntime.engine();
    this.computeType = TorchRuntime.computeType(config.run().precision(), device);
    this.root = NDManager.newBaseManager(device);
    NDManager parameters = root.newSubManager();
    this.model = new SymMimModel(config, parameters, new SeededRandom(config.run().seed()));
    this.trainable = model.trainable();
    List<Parameter[]> pairs = model.momentumPairs();
    for (int i = 0; i < pairs.size(); i++) {
      if (pairs.get(i)[0] != trainable.get(i)) {
        throw new IllegalStateException("EMA-tracked parameters must lead the trainable list: " + pairs.get(i)[0]);
      }
    }
    this.online = ParameterBuffer.pack(trainable, parameters, true);
    this.momentumCopy = ParameterBuffer.pack(model.momentum(), parameters, false);
    this.optimizer = new AdamW(online, root.newSubManager(), config.optimisation().beta1(), config.optimisation().beta2(),
        config.optimisation().epsilon(), config.optimisation().weightDecay());
    VitSpec spec = config.encoder();
    this.masks = new MaskSampler(spec.grid(), config.masking().kind(), config.masking().parity(), config.masking().block(),
        config.masking().randomRatio(), config.masking().randomBlock(), config.masking().blockRatio());
    this.random = new SeededRandom(config.run().seed() ^ 0x6D61736BL);
    this.learningRate = new LearningRateSchedule(config.optimisation().peakLearningRate(), config.optimisation().minLearningRate(),
        config.schedule().warmupSteps(), config.schedule().totalSteps());
    this.momentum = new MomentumSchedule(config.schedule().momentumStart(), config.schedule().momentumEnd(), config.schedule().totalSteps());
    LOG.info("SymMIM trainer ({}): encoder {} params, trainable {} params", computeType,
        model.encoder().parameterCount(), trainable.stream().mapToLong(Parameter::size).sum());
  }

  /** One training step on a batch of two views, each {@code N*H*W*C} floats in [0, 1]. */
  public StepResult step(float[] view1, float[] view2) {
    VitSpec spec = config.encoder();
    int perImage = spec.imageSize() * spec.imageSize() * spec.channels();
    if (view1.length != view2.length || view1.length % perImage != 0 || view1.length / perImage < 2) {
      throw new IllegalArgumentException("views must both hold N >= 2 images of " + spec.imageSize() + "x"
          + spec.imageSize() + "x" + spec.channels() + " floats; got " + view1.length + " and " + view2.length);
    }
    Shape shape = new Shape(view1.length / perImage, spec.imageSize(), spec.imageSize(), spec.channels());
    try (StepContext ctx = new StepContext(root, computeType)) {
      return step(ctx, ctx.create(view1, shape), ctx.create(view2, shape));
    }
  }

  /** As {@link #step(float[], float[])} for {@code (N, H, W, C)} fp32 arrays; the inputs are not modified. */
  public StepResult step(NDArray view1, NDArray view2) {
    try (StepContext ctx = new StepContext(root, computeType)) {
      return step(ctx, ctx.own(view1.toDevice(device, true)), ctx.own(view2.toDevice(device, true)));
    }
  }

  private StepResult step(StepContext ctx, NDArray view1, NDArray view2) {
    int n = (int) view1.getShape().get(0);
    int p = config.encoder().patchSize();
    NDArray patches1 = Patches.patchify(normalize(ctx, view1), p);
    NDArray patches2 = Patches.patchify(normalize(ctx, view2), p);
    MaskSampler.BatchMasks batchMasks = masks.sampleBatch(n, random);
    Shape maskShape = new Shape(n, masks.grid().size(), 1);
    NDArray onlineMask = ctx.create(batchMasks.online(), maskShape);
    NDArray momentumMask = ctx.create(batchMasks.momentum(), maskShape);

    // Momentum branch: outside the tape, its parameters never require gradients.
    NDArray teacherMask = config.masking().teacherMask() == Masking.TeacherMask.NONE ? null : momentumMask;
    NDArray k2 = model.momentumTargets(ctx, patches2, teacherMask);
    boolean symmetric = config.losses().symmetricContrastive();
    NDArray k1 = symmetric ? model.momentumTargets(ctx, patches1, teacherMask) : null;

    LossParts losses;
    try (GradientCollector tape = engine.newGradientCollector()) {
      losses = model.losses(ctx, patches1, onlineMask, batchMasks.onlineMaskedCount(), k2,
          symmetric ? patches2 : null, k1);
      tape.backward(losses.total());
    }
    float[] parts = NDArrays.stack(new NDList(losses.total(), losses.mim(), losses.con())).toFloatArray();

    NDArray gradients = online.gradients(ctx);
    double gradNorm = Math.sqrt(gradients.square().sum().getFloat());
    double lr = learningRate.at(step);
    double m = momentum.at(step);

    String reason = null;
    if (!Float.isFinite(parts[0])) {
      reason = "non-finite loss " + parts[0] + " (mim " + parts[1] + ", con " + parts[2] + ")";
    } else if (!Double.isFinite(gradNorm)) {
      reason = "non-finite gradient norm " + gradNorm;
    }
    if (reason == null) {
      double clip = config.optimisation().gradientClip();
      double scale = clip > 0 && gradNorm > clip ? clip / (gradNorm + 1e-6) : 1.0;
      optimizer.update(ctx, gradients, lr, scale);
      updateMomentumEncoder(ctx, m);
      step++;
    } else {
      refusedSteps++;
      LOG.warn("NaN guard refused step {} ({} refused so far): {}", step, refusedSteps, reason);
    }
    online.zeroGradients();
    return new StepResult(step, parts[0], parts[1], parts[2], lr, m, gradNorm, reason != null, reason);
  }

  private NDArray normalize(StepContext ctx, NDArray images) {
    NDArray mean = ctx.create(config.normalization().mean(), new Shape(config.encoder().channels()));
    NDArray std = ctx.create(config.normalization().std(), new Shape(config.encoder().channels()));
    return images.sub(mean).div(std);
  }

  /** {@code theta_k = m * theta_k + (1 - m) * theta_q} over the packed buffers, in place, no gradients. */
  private void updateMomentumEncoder(StepContext ctx, double m) {
    NDArray tracked = ctx.own(online.prefix(momentumCopy.size()));
    momentumCopy.flat().muli(ctx.scalar(m)).addi(ctx.scalar(1 - m).mul(tracked));
  }

  // ---- checkpoints ----

  /** Writes parameters, EMA parameters, AdamW moments, step counters, RNG state and config. */
  public void save(Path dir) throws IOException {
    checkpoint().save(dir);
  }

  /** The trainer's full state as an in-memory checkpoint. */
  public Checkpoint checkpoint() {
    Map<String, NamedTensor> tensors = new LinkedHashMap<>();
    for (Parameter p : trainable) {
      put(tensors, "online/" + p.name(), p.array());
    }
    for (Parameter p : model.momentum()) {
      put(tensors, "momentum/" + p.name(), p.array());
    }
    float[] m = optimizer.firstMoment().toFloatArray();
    float[] v = optimizer.secondMoment().toFloatArray();
    for (int i = 0; i < trainable.size(); i++) {
      Parameter p = trainable.get(i);
      long[] shape = p.array().getShape().getShape();
      tensors.put("adam.m/" + p.name(), new NamedTensor("adam.m/" + p.name(), shape, online.slice(m, i)));
      tensors.put("adam.v/" + p.name(), new NamedTensor("adam.v/" + p.name(), shape, online.slice(v, i)));
    }
    TrainingState state = new TrainingState(step, refusedSteps, optimizer.updates(), random.state());
    return new Checkpoint(config, state, tensors);
  }

  private static void put(Map<String, NamedTensor> tensors, String name, NDArray array) {
    tensors.put(name, new NamedTensor(name, array.getShape().getShape(), array.toFloatArray()));
  }

  /** Resumes a run exactly where {@link #save} left it, on the device its config asks for. */
  public static SymMimTrainer load(Path dir) throws IOException {
    Checkpoint c = Checkpoint.load(dir);
    return restore(c, TorchRuntime.device(c.config().run().device()));
  }

  public static SymMimTrainer load(Path dir, Device device) throws IOException {
    return restore(Checkpoint.load(dir), device);
  }

  public static SymMimTrainer restore(Checkpoint c, Device device) {
    SymMimTrainer t = new SymMimTrainer(c.config(), device);
    t.online.copyFrom(gather(c, "online/", t.online));
    t.momentumCopy.copyFrom(gather(c, "momentum/", t.momentumCopy));
    ParameterBuffer.copyInto(t.optimizer.firstMoment(), gather(c, "adam.m/", t.online));
    ParameterBuffer.copyInto(t.optimizer.secondMoment(), gather(c, "adam.v/", t.online));
    t.step = c.state().step();
    t.refusedSteps = c.state().refusedSteps();
    t.optimizer.restoreUpdates(c.state().optimizerUpdates());
    t.random.restore(c.state().rngState());
    return t;
  }

  /** The checkpoint tensors {@code prefix + name} of the buffer's parameters, concatenated in buffer order. */
  private static float[] gather(Checkpoint c, String prefix, ParameterBuffer buffer) {
    float[] flat = new float[Math.toIntExact(buffer.size())];
    List<Parameter> params = buffer.parameters();
    for (int i = 0; i < params.size(); i++) {
      NamedTensor t = c.tensor(prefix + params.get(i).name());
      if (!new Shape(t.shape()).equals(params.get(i).array().getShape())) {
        throw new IllegalArgumentException(t.name() + ": checkpoint shape " + new Shape(t.shape())
            + " != model shape " + params.get(i).array().getShape());
      }
      System.arraycopy(t.data(), 0, flat, (int) buffer.offset(i), t.data().length);
    }
    return flat;
  }

  // ---- accessors ----

  public PretrainConfig config() {
    return config;
  }

  public Device device() {
    return device;
  }

  /** The compute dtype actually used (fp32; bf16 requests fall back, see {@code TorchRuntime.computeType}). */
  public DataType computeType() {
    return computeType;
  }

  /** Applied (not refused) updates so far. */
  public long stepCount() {
    return step;
  }

  public long refusedSteps() {
    return refusedSteps;
  }

  public SymMimModel model() {
    return model;
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
