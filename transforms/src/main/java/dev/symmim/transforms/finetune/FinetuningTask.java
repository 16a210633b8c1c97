package dev.symmim.transforms.finetune;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.symmim.model.runtime.TorchRuntime;
import dev.symmim.model.augment.FloatImage;
import dev.symmim.model.checkpoint.Checkpoint;
import dev.symmim.model.checkpoint.TimmVitWeights;
import dev.symmim.model.finetune.FineTuneConfig;
import dev.symmim.model.finetune.FineTuneStepResult;
import dev.symmim.model.finetune.FineTuneTrainer;
import dev.symmim.model.finetune.FineTuneViews;
import dev.symmim.model.finetune.LabelSubsets;
import dev.symmim.model.infer.Branch;
import dev.symmim.model.random.SeededRandom;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.dataset.DatasetPaths;
import dev.symmim.transforms.evaluate.MetricsJson;
import dev.symmim.transforms.io.Locations;
import dev.symmim.transforms.io.Sha256;
import dev.symmim.transforms.training.BatchLoader;
import dev.symmim.transforms.training.BatchPlan;
import dev.symmim.transforms.training.BatchSource;
import dev.symmim.transforms.training.CheckpointStore;
import dev.symmim.transforms.training.Checkpoints;
import dev.symmim.transforms.training.EncoderFiles;
import dev.symmim.transforms.training.MetricsLog;
import dev.symmim.transforms.training.RunDirectory;
import dev.symmim.transforms.training.StepOutcome;
import dev.symmim.transforms.training.TensorBoardLog;
import dev.symmim.transforms.training.Trainer;
import dev.symmim.transforms.training.TrainingImages;
import dev.symmim.transforms.training.TrainingLoop;
import dev.symmim.transforms.training.TrainingTask;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Label-efficient fine-tuning (METHOD.md section 6) as a {@link TrainingTask} of the shared
 * {@link TrainingLoop}: a class-balanced, seeded, nested subset of the train split's labels
 * ({@link LabelSubsets}, over the examples in id order), one augmented view per image
 * (RandomResizedCrop + flip, {@link FineTuneViews}) made on background threads, a
 * {@link FineTuneTrainer} initialised from a pretraining checkpoint's encoder or at random, and
 * top-1 / top-5 on the val split every {@code evalEveryEpochs} and at the end ({@code metrics.json}).
 */
public final class FinetuningTask implements TrainingTask<FinetuningTask.Batch> {
  private static final Logger LOG = LoggerFactory.getLogger(FinetuningTask.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  public static final String RESULT_FILE = "metrics.json";
  public static final String EVALUATIONS_FILE = "evaluations.jsonl";
  /** Images per evaluation forward pass. */
  static final int EVAL_CHUNK = 500;

  /** One batch: its index and epoch, the views ({@code N*H*W*C} floats in [0, 1]) and their labels. */
  public record Batch(long index, long epoch, float[] images, int[] labels) {}

  private final FinetuneRun run;
  private final FineTuneConfig config;
  private final TrainingImages train;
  private final int[] labelled;
  private final BatchPlan plan;
  private final long total;
  private final FineTuneViews views;
  private TrainingImages val;
  private MetricsLog evaluations;
  private TensorBoardLog events;
  private final List<FinetuneResult.Evaluation> history = new ArrayList<>();
  private FinetuneResult result;
  private long firstBatch;

  public FinetuningTask(FinetuneRun run) throws IOException {
    this.run = run;
    this.config = FineTuneConfig.fromJson(run.configJson());
    DatasetManifest manifest = DatasetManifest.readFrom(run.dataDir());
    this.train = TrainingImages.load(run.dataDir(), manifest, "train", 0);
    this.labelled = labelledSubset(train, config.head().numClasses(), run.labels(), manifest.classes());
    this.plan = new BatchPlan(config.seed(), labelled.length, config.optimization().batchSize());
    this.total = (long) run.epochs() * plan.stepsPerEpoch();
    if (total != config.optimization().totalSteps()) {
      throw new IllegalArgumentException("config totalSteps " + config.optimization().totalSteps() + " != epochs "
          + run.epochs() + " x steps per epoch " + plan.stepsPerEpoch());
    }
    this.views = FineTuneViews.of(config);
  }

  /**
   * The train images (indices into {@code images}) whose labels the run may use: the class-balanced
   * subset of {@code selection}, drawn over the examples in id order (so the same ids whatever the
   * shard layout); a dataset without labels or a class left empty is refused naming the class.
   */
  static int[] labelledSubset(TrainingImages images, int numClasses, FinetuneRun.LabelSelection selection,
      List<String> classNames) {
    Integer[] byId = IntStream.range(0, images.count()).boxed().toArray(Integer[]::new);
    Arrays.sort(byId, Comparator.comparing(images::id));
    int[] labels = new int[byId.length];
    for (int i = 0; i < byId.length; i++) {
      labels[i] = images.label(byId[i]);
      if (labels[i] < 0) {
        throw new IllegalArgumentException("train example " + images.id(byId[i]) + " has no label: fine-tuning needs "
            + "a labelled dataset (prepare class folders, IDX with labels or CIFAR)");
      }
    }
    int[] positions;
    try {
      positions = selection.perClass() > 0
          ? LabelSubsets.perClass(labels, numClasses, selection.perClass(), selection.seed())
          : LabelSubsets.byFraction(labels, numClasses, selection.fraction(), selection.seed());
    } catch (IllegalArgumentException e) {
      String message = e.getMessage();
      for (int c = numClasses - 1; c >= 0 && classNames != null && c < classNames.size(); c--) {
        message = message.replace("class " + c + " ", "class " + c + " ('" + classNames.get(c) + "') ");
      }
      throw new IllegalArgumentException(message, e);
    }
    int[] out = new int[positions.length];
    for (int i = 0; i < positions.length; i++) {
      out[i] = byId[positions[i]];
    }
    Arrays.sort(out);
    return out;
  }

  /** Trains (or resumes) the run to its end and evaluates it; returns the result. */
  public FinetuneResult run(TrainingLoop.Observer observer) throws IOException, InterruptedException {
    new TrainingLoop<>(this, new TrainingLoop.Settings(run.runDir(), run.gcsEndpoint(), run.stages(),
        run.checkpointEverySteps(), run.checkpointEveryMinutes(), 2, run.maxRollbacks(), run.logEverySeconds(), run.metricsEverySteps()), observer)
        .run();
    return result;
  }

  @Override
  public String name() {
    return "finetune";
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
    if (run.pretrained() == null) {
      return adapt(FineTuneTrainer.fromScratch(config));
    }
    if (EncoderFiles.isSafetensors(run.pretrained())) {
      return adapt(imported(config, run.pretrained()));
    }
    Checkpoint checkpoint = Checkpoints.shared(Checkpoints.local(run.pretrained()));
    Branch branch = run.branch().equals("momentum") ? Branch.MOMENTUM : Branch.ONLINE;
    return adapt(FineTuneTrainer.fromPretrained(config, checkpoint, branch));
  }

  /**
   * A trainer whose encoder is the one in the timm-named safetensors file at {@code location} (what
   * {@code finetune --init=<file>} starts from); a learned position table in it is used as given, or
   * resized to the encoder's grid, and kept fixed (see {@link TimmVitWeights#importEncoder}).
   */
  public static FineTuneTrainer imported(FineTuneConfig config, String location) {
    TimmVitWeights.Imported imported;
    try {
      imported = TimmVitWeights.importEncoder(EncoderFiles.read(location).tensors(), config.encoder());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage().startsWith(location) ? e.getMessage()
          : location + ": " + e.getMessage(), e);
    }
    LOG.info("finetune: encoder from {}: {}", location, imported.note());
    return FineTuneTrainer.fromImported(config, imported);
  }

  @Override
  public Trainer<Batch> restore(Path dir, String location) throws IOException {
    FineTuneTrainer t = FineTuneTrainer.restore(FinetuneCheckpoint.load(dir));
    if (!t.config().equals(config)) {
      t.close();
      throw new IllegalArgumentException("run directory " + run.runDir() + " holds a fine-tuning run with a different "
          + "config (" + location + "/" + Checkpoint.CONFIG_FILE + "); use a new --output or the same flags");
    }
    return adapt(t);
  }

  @Override
  public BatchSource<Batch> batches(long from, long to) {
    int size = train.size();
    int channels = train.channels();
    long seed = config.seed();
    return new BatchLoader<>(plan, (index, epoch, positions) -> {
      int per = views.size() * views.size() * channels;
      float[] images = new float[positions.length * per];
      int[] labels = new int[positions.length];
      for (int b = 0; b < positions.length; b++) {
        int image = labelled[(int) positions[b]];
        FloatImage img = FloatImage.fromUint8(train.pixels(image), size, size, channels);
        System.arraycopy(views.train(img, SeededRandom.forSample(seed, epoch, image)), 0, images, b * per, per);
        labels[b] = train.label(image);
      }
      return new Batch(index, epoch, images, labels);
    }, from, to, run.loaderThreads(), Math.max(2, 2 * run.loaderThreads()));
  }

  @Override
  public double afterBatch(long batchesDone, Trainer<Batch> trainer, BatchSource<Batch> batches) throws IOException {
    long every = (long) run.evalEveryEpochs() * plan.stepsPerEpoch();
    if (every <= 0 || batchesDone % every != 0 || batchesDone >= total) {
      return 0;
    }
    long t0 = System.nanoTime();
    batches.pause();
    try {
      double[] acc = evaluate(classifier(trainer));
      FinetuneResult.Evaluation e = new FinetuneResult.Evaluation(batchesDone / plan.stepsPerEpoch(),
          trainer.stepCount(), acc[0], acc[1]);
      history.add(e);
      evaluations.write(Map.of("batch", batchesDone - 1, "epoch", e.epoch(), "step", e.step(),
          "top1", e.top1(), "top5", e.top5()));
      events.write(e.step(), evalScalars(e.top1(), e.top5()));
      LOG.info(String.format("finetune: epoch %d: val top-1 %.2f%%, top-5 %.2f%% (%d images)", e.epoch(),
          100 * acc[0], 100 * acc[1], val.count()));
    } finally {
      batches.resume();
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  @Override
  public void start(RunDirectory dir, long firstBatch, TensorBoardLog events) throws IOException {
    this.firstBatch = firstBatch;
    this.events = events;
    if (run.evalEveryEpochs() > 0) {
      dir.fetch(EVALUATIONS_FILE);
      // Evaluations the interrupted attempt logged after its last checkpoint are dropped.
      evaluations = new MetricsLog(dir.local().resolve(EVALUATIONS_FILE), firstBatch);
    }
  }

  @Override
  public void writeRunFile(Path file) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.set("info", JSON.readTree(run.runInfoJson()));
    root.put("dataDir", run.dataDir());
    root.put("manifestSha256", Sha256.of(Locations.read(
        DatasetPaths.resolve(run.dataDir(), DatasetManifest.FILE_NAME).toString())));
    root.put("init", init());
    root.put("labels", run.labels().describe() + ", class-balanced, seed " + run.labels().seed()
        + ", nested (a smaller subset of the same seed lies inside a larger one)");
    root.put("labelled", labelled.length);
    root.put("epochs", run.epochs());
    root.put("stepsPerEpoch", plan.stepsPerEpoch());
    root.put("totalSteps", total);
    root.put("dataOrder", "permutation of the labelled subset per epoch from the seed; views from (seed, epoch, image index)");
    root.set("config", JSON.readTree(config.toJson()));
    ArrayNode ids = root.putArray("labelledIds");
    for (int i : labelled) {
      ids.add(train.id(i));
    }
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public void finish(TrainingLoop.Summary summary, Trainer<Batch> trainer, RunDirectory dir) throws IOException {
    if (firstBatch == total) { // finished earlier: its result (and the training time it measured) stands
      dir.fetch(RESULT_FILE);
      Path existing = dir.local().resolve(RESULT_FILE);
      if (Files.exists(existing)) {
        result = MetricsJson.read(Files.readAllBytes(existing), FinetuneResult.class);
        LOG.info("finetune: finished earlier; val top-1 {}%", String.format("%.2f", 100 * result.top1()));
        return;
      }
    }
    long t0 = System.nanoTime();
    double[] acc = evaluate(classifier(trainer));
    double evalSeconds = (System.nanoTime() - t0) / 1e9;
    events.write(trainer.stepCount(), evalScalars(acc[0], acc[1]));
    result = new FinetuneResult(protocol(), init(), run.dataDir(), labelled.length, run.labels().describe(),
        run.epochs(), trainer.stepCount(), val.count(), acc[0], acc[1], summary.trainSeconds(), evalSeconds,
        List.copyOf(history));
    Path file = dir.local().resolve(RESULT_FILE);
    Path tmp = file.resolveSibling("." + RESULT_FILE + ".tmp");
    Files.writeString(tmp, MetricsJson.write(result) + "\n", StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    dir.publish(RESULT_FILE);
    if (Files.exists(dir.local().resolve(EVALUATIONS_FILE))) {
      dir.publish(EVALUATIONS_FILE);
    }
    LOG.info(String.format("finetune: val top-1 %.2f%% (+- %.2f SE), top-5 %.2f%% on %d images; %s",
        100 * result.top1(), 100 * result.top1StandardError(), 100 * result.top5(), val.count(), protocol()));
  }

  @Override
  public void close() {
    if (evaluations != null) {
      try {
        evaluations.close();
      } catch (IOException e) {
        LOG.warn("finetune: closing {}: {}", EVALUATIONS_FILE, e.getMessage());
      }
    }
  }

  /** An evaluation's TensorBoard scalars: val top-1 and top-5. */
  private static Map<String, Double> evalScalars(double top1, double top5) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("eval/top1", top1);
    m.put("eval/top5", top5);
    return m;
  }

  private String init() {
    if (run.pretrained() != null && EncoderFiles.isSafetensors(run.pretrained())) {
      return "safetensors:" + run.pretrained();
    }
    return run.pretrained() == null ? "random (seed " + config.seed() + ")" : "pretrained:" + run.pretrained() + "#"
        + run.branch();
  }

  /** What the numbers mean, written next to them. */
  String protocol() {
    FineTuneConfig.Optimization o = config.optimization();
    return String.format("end-to-end fine-tuning from %s on %d labelled train images (%s, class-balanced, seed %d); "
        + "%s read-out + linear head; AdamW (%.2f, %.3f) wd %s, base lr %s (peak %s = base x %d/256), layer decay %s, "
        + "warmup %d of %d steps then cosine, label smoothing %s, drop-path %s, RandomResizedCrop(%s-1)%s, %d epochs; "
        + "top-1/top-5 on the val split, whole images, no augmentation", init(), labelled.length,
        run.labels().describe(), run.labels().seed(), config.head().pooling(), o.beta1(), o.beta2(), o.weightDecay(),
        o.baseLearningRate(), o.peakLearningRate(), o.batchSize(), o.layerDecay(), o.warmupSteps(), o.totalSteps(),
        config.regularization().labelSmoothing(), config.regularization().dropPath(), config.augmentation().minScale(),
        config.augmentation().flip() ? " + flip" : "", run.epochs());
  }

  /** {top-1, top-5} of {@code trainer} on the val split (whole images resized to the model size). */
  private double[] evaluate(FineTuneTrainer trainer) throws IOException {
    if (val == null) {
      val = TrainingImages.load(run.dataDir(), DatasetManifest.readFrom(run.dataDir()), "val", 0);
    }
    int k = Math.min(5, config.head().numClasses());
    int per = views.size() * views.size() * val.channels();
    long top1 = 0;
    long top5 = 0;
    long n = 0;
    for (int start = 0; start < val.count(); start += EVAL_CHUNK) {
      int count = Math.min(EVAL_CHUNK, val.count() - start);
      float[] images = new float[count * per];
      for (int i = 0; i < count; i++) {
        FloatImage img = FloatImage.fromUint8(val.pixels(start + i), val.size(), val.size(), val.channels());
        System.arraycopy(views.eval(img), 0, images, i * per, per);
      }
      int[][] top = trainer.topK(images, k);
      for (int i = 0; i < count; i++) {
        int label = val.label(start + i);
        if (label < 0) {
          continue;
        }
        n++;
        top1 += top[i][0] == label ? 1 : 0;
        top5 += Arrays.stream(top[i]).anyMatch(c -> c == label) ? 1 : 0;
      }
    }
    if (n == 0) {
      throw new IllegalArgumentException("dataset " + run.dataDir() + " has no labelled val images to evaluate on");
    }
    return new double[] {top1 / (double) n, top5 / (double) n};
  }

  /** {@link FineTuneTrainer} as the loop's {@link Trainer}. */
  private static Trainer<Batch> adapt(FineTuneTrainer t) {
    return new Trainer.Adapted<>(t, b -> outcome(t.step(b.images(), b.labels())), () -> {
      var state = t.state();
      return dir -> FinetuneCheckpoint.save(state, dir);
    }, t::stepCount, TorchRuntime.describe(t.device()));
  }

  @SuppressWarnings("unchecked")
  private static FineTuneTrainer classifier(Trainer<Batch> trainer) {
    return ((Trainer.Adapted<Batch, FineTuneTrainer>) trainer).trainer();
  }

  /** A fine-tuning step's metrics: loss, learning rate, gradient norm, the batch's train top-1. */
  static StepOutcome outcome(FineTuneStepResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("loss", StepOutcome.finite(r.loss()));
    m.put("lr", r.learningRate());
    m.put("gradNorm", StepOutcome.finite(r.gradNorm()));
    m.put("trainTop1", r.trainTop1());
    return new StepOutcome(r.step(), r.loss(), r.refused(), r.reason(), m,
        String.format("loss=%.4f train-top1=%.3f lr=%.3g", r.loss(), r.trainTop1(), r.learningRate()));
  }
}
