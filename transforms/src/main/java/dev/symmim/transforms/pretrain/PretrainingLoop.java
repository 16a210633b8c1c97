package dev.symmim.transforms.pretrain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.symmim.model.runtime.TorchRuntime;
import dev.symmim.model.augment.SymMimViews;
import dev.symmim.model.checkpoint.Checkpoint;
import dev.symmim.model.checkpoint.NamedTensor;
import dev.symmim.model.checkpoint.TimmVitWeights;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.model.train.StepResult;
import dev.symmim.model.train.SymMimTrainer;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.dataset.DatasetPaths;
import dev.symmim.transforms.io.Locations;
import dev.symmim.transforms.io.Sha256;
import dev.symmim.transforms.training.BatchLoader;
import dev.symmim.transforms.training.BatchPlan;
import dev.symmim.transforms.training.BatchSource;
import dev.symmim.transforms.training.CheckpointStore;
import dev.symmim.transforms.training.EncoderFiles;
import dev.symmim.transforms.training.RunDirectory;
import dev.symmim.transforms.training.StepOutcome;
import dev.symmim.transforms.training.TensorBoardLog;
import dev.symmim.transforms.training.Trainer;
import dev.symmim.transforms.training.TrainingImages;
import dev.symmim.transforms.training.TrainingLoop;
import dev.symmim.transforms.training.TrainingTask;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SymMIM pretraining as a {@link TrainingTask} of the shared {@link TrainingLoop}: the train split
 * of a prepared dataset, two views per image made on background threads, a {@link SymMimTrainer},
 * and the data-pipeline overhead benchmark as an after-batch hook. No Beam types: the
 * {@link RunPretraining} DoFn only forwards counters.
 */
public final class PretrainingLoop implements TrainingTask<PretrainingLoop.Batch> {
  private static final Logger LOG = LoggerFactory.getLogger(PretrainingLoop.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One batch: its index and epoch, and the two views ({@code N*H*W*C} floats in [0, 1]). */
  public record Batch(long index, long epoch, float[] view1, float[] view2) {}

  /** The outcome of a finished run; {@code bareImagesPerSecond} is NaN without the overhead benchmark. */
  public record Summary(long steps, long batches, int rollbacks, String finalCheckpoint, double trainSeconds,
      double dataWaitSeconds, double imagesPerSecond, double lastLoss, double bareImagesPerSecond) {}

  private final PretrainRun run;
  private final TrainingLoop.Observer observer;
  private final PretrainConfig config;
  private final TrainingImages images;
  private final BatchPlan plan;
  private final long total;
  private BareLoopBench bench;
  private long firstBatch;

  public PretrainingLoop(PretrainRun run, TrainingLoop.Observer observer) throws IOException {
    this.run = run;
    this.observer = observer;
    this.config = PretrainConfig.fromJson(run.configJson());
    this.images = TrainingImages.load(run.dataDir(), DatasetManifest.readFrom(run.dataDir()), run.maxImages());
    this.plan = new BatchPlan(config.run().seed(), images.count(), config.optimisation().batchSize());
    this.total = (long) run.epochs() * plan.stepsPerEpoch();
    if (total != config.schedule().totalSteps()) {
      throw new IllegalArgumentException("config totalSteps " + config.schedule().totalSteps() + " != epochs "
          + run.epochs() + " x steps per epoch " + plan.stepsPerEpoch());
    }
  }

  /** Trains (or resumes) the run to its end. */
  public Summary run() throws IOException, InterruptedException {
    TrainingLoop.Summary s = new TrainingLoop<>(this, new TrainingLoop.Settings(run.runDir(), run.gcsEndpoint(),
        run.stages(), run.checkpointEverySteps(), run.checkpointEveryMinutes(), 3, run.maxRollbacks(), run.logEverySeconds(),
        run.metricsEverySteps()), observer).run();
    return new Summary(s.steps(), s.batches(), s.rollbacks(), s.finalCheckpoint(), s.trainSeconds(),
        s.dataWaitSeconds(), s.imagesPerSecond(), s.lastLoss(), bench == null ? Double.NaN : bench.imagesPerSecond());
  }

  @Override
  public String name() {
    return "pretrain";
  }

  @Override
  public BatchPlan plan() {
    return plan;
  }

  @Override
  public long totalBatches() {
    return total;
  }

  @Override
  public Trainer<Batch> create() {
    if (run.initWeights() == null) {
      return adapt(new SymMimTrainer(config));
    }
    return adapt(initialised(config, EncoderFiles.read(run.initWeights()).tensors(), run.initWeights()));
  }

  /**
   * A fresh trainer whose online and momentum encoders hold the encoder of a timm-named file (the
   * mask token, heads and optimizer state stay as initialised). Pretraining keeps its fixed sin-cos
   * positions: a learned {@code pos_embed} in the file is not used (logged).
   */
  static SymMimTrainer initialised(PretrainConfig config, Map<String, NamedTensor> timm, String source) {
    TimmVitWeights.Imported imported = TimmVitWeights.importEncoder(timm, config.encoder());
    if (imported.kind() != TimmVitWeights.Positions.SIN_COS) {
      LOG.warn("pretrain: --init={}: {}; pretraining uses its fixed 2-D sin-cos positions instead", source,
          imported.note());
    }
    Checkpoint fresh;
    ai.djl.Device device;
    try (SymMimTrainer t = new SymMimTrainer(config)) {
      fresh = t.checkpoint();
      device = t.device();
    }
    Map<String, NamedTensor> tensors = new LinkedHashMap<>(fresh.tensors());
    for (NamedTensor t : imported.tensors().values()) {
      for (String branch : new String[] {"online/", "momentum/"}) {
        String name = branch + t.name();
        if (!tensors.containsKey(name)) {
          throw new IllegalStateException("pretraining model has no tensor " + name);
        }
        tensors.put(name, new NamedTensor(name, t.shape(), t.data()));
      }
    }
    LOG.info("pretrain: online and momentum encoders initialised from {} ({} tensors)", source,
        imported.tensors().size());
    return SymMimTrainer.restore(new Checkpoint(config, fresh.state(), tensors), device);
  }

  @Override
  public Trainer<Batch> restore(Path dir, String location) throws IOException {
    SymMimTrainer t = SymMimTrainer.load(dir);
    if (!t.config().equals(config)) {
      t.close();
      throw new IllegalArgumentException("run directory " + run.runDir() + " holds a run with a different config ("
          + location + "/" + Checkpoint.CONFIG_FILE + "); use a new --output or the same flags");
    }
    return adapt(t);
  }

  @Override
  public BatchSource<Batch> batches(long from, long to) {
    if (run.bareLoopSteps() > 0 && from < to && bench == null) {
      bench = new BareLoopBench(config, images, plan, run.bareLoopSteps(), to - from);
    }
    SymMimViews views = SymMimViews.of(config);
    long seed = config.run().seed();
    return new BatchLoader<>(plan, (index, epoch, idx) -> {
      byte[][] px = new byte[idx.length][];
      for (int i = 0; i < idx.length; i++) {
        px[i] = images.pixels((int) idx[i]);
      }
      float[][] v = views.batch(px, images.size(), images.size(), images.channels(), seed, epoch, idx);
      float[] view1 = v[0];
      if (run.faultBatches().contains(index)) { // fault injection for tests
        view1 = new float[view1.length];
        Arrays.fill(view1, Float.NaN);
      }
      return new Batch(index, epoch, view1, v[1]);
    }, from, to, run.loaderThreads(), Math.max(2, 2 * run.loaderThreads()));
  }

  @Override
  public void start(RunDirectory dir, long firstBatch, TensorBoardLog events) {
    this.firstBatch = firstBatch;
  }

  @Override
  public double afterBatch(long batchesDone, Trainer<Batch> trainer, BatchSource<Batch> batches) {
    return bench == null ? 0 : bench.maybeRun(batchesDone - firstBatch, batches);
  }

  @Override
  public void finish(TrainingLoop.Summary s, Trainer<Batch> trainer, RunDirectory dir) {
    if (bench == null || s.imagesPerSecond() <= 0) {
      return;
    }
    double bare = bench.imagesPerSecond();
    LOG.info(String.format("pretrain: bench: full stage %.1f img/s (%.1f s of stage time, checkpoints included; "
        + "trainer busy %.1f s = %.1f%%, waiting for data %.2f s), bare loop on one in-memory batch %.1f img/s "
        + "(%d steps in %d blocks interleaved with the stage, loader paused): full/bare = %.3f, overhead %.1f%% "
        + "(goal <= 10%%)", s.imagesPerSecond(), s.trainSeconds(), s.stepSeconds(),
        100 * s.stepSeconds() / s.trainSeconds(), s.dataWaitSeconds(), bare, bench.stepsRun(), bench.blocksRun(),
        s.imagesPerSecond() / bare, 100 * (1 - s.imagesPerSecond() / bare)));
  }

  @Override
  public void close() {
    if (bench != null) {
      bench.close();
    }
  }

  @Override
  public void writeRunFile(Path file) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.set("info", JSON.readTree(run.runInfoJson()));
    root.put("dataDir", run.dataDir());
    root.put("manifestSha256", Sha256.of(Locations.read(
        DatasetPaths.resolve(run.dataDir(), DatasetManifest.FILE_NAME).toString())));
    root.put("trainImages", images.count());
    root.put("epochs", run.epochs());
    root.put("stepsPerEpoch", plan.stepsPerEpoch());
    root.put("totalSteps", total);
    root.put("stages", run.stages());
    root.put("checkpointEverySteps", run.checkpointEverySteps());
    root.put("checkpointEveryMinutes", run.checkpointEveryMinutes());
    root.put("loaderThreads", run.loaderThreads());
    root.put("maxRollbacks", run.maxRollbacks());
    root.put("seed", config.run().seed());
    if (run.initWeights() != null) {
      root.put("init", run.initWeights());
    }
    root.put("dataOrder", "permutation per epoch from seed; views from (seed, epoch, image index)");
    root.set("config", JSON.readTree(config.toJson()));
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** {@link SymMimTrainer} as the loop's {@link Trainer}. */
  private static Trainer<Batch> adapt(SymMimTrainer t) {
    return new Trainer.Adapted<>(t, b -> outcome(t.step(b.view1(), b.view2())), () -> t.checkpoint()::save,
        t::stepCount, TorchRuntime.describe(t.device()));
  }

  /** A pretraining step's metrics: the loss parts, learning rate, EMA momentum and gradient norm. */
  static StepOutcome outcome(StepResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("loss", StepOutcome.finite(r.loss()));
    m.put("mimLoss", StepOutcome.finite(r.mimLoss()));
    m.put("conLoss", StepOutcome.finite(r.conLoss()));
    m.put("lr", r.learningRate());
    m.put("momentum", r.momentum());
    m.put("gradNorm", StepOutcome.finite(r.gradNorm()));
    return new StepOutcome(r.step(), r.loss(), r.refused(), r.reason(), m, String.format(
        "loss=%.4f (mim %.4f, con %.4f) lr=%.3g m=%.5f", r.loss(), r.mimLoss(), r.conLoss(), r.learningRate(),
        r.momentum()));
  }
}
