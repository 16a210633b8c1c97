package dev.symmim.transforms.pretrain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.symmim.model.augment.SymMimViews;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.model.train.StepResult;
import dev.symmim.model.train.SymMimTrainer;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.dataset.DatasetPaths;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.beam.sdk.io.FileSystems;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs (or resumes) one pretraining run to the end: loads the train split, restores the latest
 * committed checkpoint if there is one, trains batch by batch with views made on background
 * threads, commits a checkpoint at every stage end (and every {@code checkpointEverySteps}),
 * rolls back on a non-finite loss, and logs progress and metrics. No Beam types: the
 * {@link RunPretraining} DoFn only forwards counters.
 */
public final class PretrainingLoop {
  private static final Logger LOG = LoggerFactory.getLogger(PretrainingLoop.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  public static final String METRICS_FILE = "metrics.jsonl";
  public static final String RUN_FILE = "run.json";

  /** Receives what the DoFn turns into Beam counters. */
  public interface Observer {
    void step(StepResult result, int images, double seconds);

    void rollback();

    void checkpoint();
  }

  /**
   * The outcome of a finished run. {@code trainSeconds} and {@code imagesPerSecond} are stage time
   * (the overhead benchmark's bare blocks excluded); {@code bareImagesPerSecond} is NaN without it.
   */
  public record Summary(long steps, long batches, int rollbacks, String finalCheckpoint, double trainSeconds,
      double dataWaitSeconds, double imagesPerSecond, double lastLoss, double bareImagesPerSecond) {}

  private final PretrainRun run;
  private final Observer observer;

  public PretrainingLoop(PretrainRun run, Observer observer) {
    this.run = run;
    this.observer = observer;
  }

  /**
   * Trains to the end. A gs:// run directory is worked on in a local temporary directory: checkpoints
   * are committed to GCS ({@link GcsCheckpointStore}), metrics.jsonl is uploaded before every
   * checkpoint commit and at the end, run.json when it is written, and both are fetched on resume.
   */
  public Summary run() throws IOException, InterruptedException {
    try (RunDirectory dir = RunDirectory.open(run.runDir(), run.gcsEndpoint())) {
      return run(dir);
    }
  }

  private Summary run(RunDirectory dir) throws IOException, InterruptedException {
    PretrainConfig config = PretrainConfig.fromJson(run.configJson());
    Path runDir = dir.local();
    DatasetManifest manifest = DatasetManifest.readFrom(run.dataDir());
    TrainingImages images = TrainingImages.load(run.dataDir(), manifest, run.maxImages());
    BatchPlan plan = new BatchPlan(config.seed(), images.count(), config.batchSize());
    long total = (long) run.epochs() * plan.stepsPerEpoch();
    if (total != config.totalSteps()) {
      throw new IllegalArgumentException("config totalSteps " + config.totalSteps() + " != epochs " + run.epochs()
          + " x steps per epoch " + plan.stepsPerEpoch());
    }
    RunCheckpoints store = dir.checkpoints(3);
    store.removeLeftovers();
    Optional<CheckpointStore.Committed> latest = store.latest();
    SymMimTrainer trainer;
    CheckpointStore.Position position;
    if (latest.isPresent()) {
      trainer = SymMimTrainer.load(latest.get().dir());
      if (!trainer.config().equals(config)) {
        trainer.close();
        throw new IllegalArgumentException("run directory " + dir.location() + " holds a run with a different config ("
            + store.location(latest.get().dir()) + "/config.json); use a new --output or the same flags");
      }
      position = latest.get().position();
      LOG.info("pretrain: resuming from {} (batch {}, step {})", store.location(latest.get().dir()),
          position.nextBatch(), position.step());
      dir.fetch(METRICS_FILE);
    } else {
      writeRunJson(runDir, config, manifest, images, plan, total);
      dir.publish(RUN_FILE);
      trainer = new SymMimTrainer(config);
      position = new CheckpointStore.Position(0, 0, 0);
      store.commit(trainer.checkpoint(), position);
      LOG.info("pretrain: new run, {} images, {} steps per epoch, {} steps, device {}", images.count(),
          plan.stepsPerEpoch(), total, trainer.device());
    }
    Path lastCommitted = store.latest().orElseThrow().dir();
    int rollbacks = position.rollbacks();
    long batch = position.nextBatch();
    long lastCheckpointBatch = batch;
    long trainedImages = 0;
    double lastLoss = Double.NaN;
    long firstBatch = batch;
    BareLoopBench bench = run.bareLoopSteps() > 0 && batch < total
        ? new BareLoopBench(config, images, plan, run.bareLoopSteps(), total - batch) : null;
    long startNanos = System.nanoTime();
    double stepSeconds = 0;
    ProgressLine progress = new ProgressLine(run.logEverySeconds(), total, run.stages(), plan.stepsPerEpoch());
    try (MetricsLog metrics = new MetricsLog(runDir.resolve(METRICS_FILE), batch);
        BatchLoader loader = new BatchLoader(images, plan, SymMimViews.of(config), config.seed(), batch, total,
            run.loaderThreads(), Math.max(2, 2 * run.loaderThreads()))) {
      while (batch < total) {
        BatchLoader.Batch b = loader.take();
        float[] view1 = b.view1();
        if (run.faultBatches().contains(batch)) {
          view1 = new float[view1.length];
          Arrays.fill(view1, Float.NaN);
        }
        long t0 = System.nanoTime();
        StepResult r = trainer.step(view1, b.view2());
        double dt = (System.nanoTime() - t0) / 1e9;
        stepSeconds += dt;
        batch++;
        if (r.refused()) {
          rollbacks++;
          observer.rollback();
          if (rollbacks > run.maxRollbacks()) {
            throw new IllegalStateException("pretrain: non-finite loss at batch " + (batch - 1) + " (" + r.reason()
                + "): " + rollbacks + " rollbacks exceed the limit of " + run.maxRollbacks() + "; last good checkpoint "
                + store.location(lastCommitted));
          }
          LOG.warn("pretrain: {} at batch {}: rolling back to {} and continuing with batch {} (rollback {} of {})",
              r.reason(), batch - 1, store.location(lastCommitted), batch, rollbacks, run.maxRollbacks());
          trainer.close();
          trainer = SymMimTrainer.load(lastCommitted);
          metrics.write(record(b, batch - 1, r, rollbacks, dt, plan.batchSize()));
          continue;
        }
        trainedImages += plan.batchSize();
        lastLoss = r.loss();
        observer.step(r, plan.batchSize(), dt);
        if ((batch - 1) % Math.max(1, run.metricsEverySteps()) == 0 || batch == total) {
          metrics.write(record(b, batch - 1, r, rollbacks, dt, plan.batchSize()));
        }
        progress.maybeLog(batch, b.epoch(), r, trainedImages, (System.nanoTime() - startNanos) / 1e9, false);
        boolean stageEnd = isStageEnd(batch, total, run.stages());
        boolean periodic = run.checkpointEverySteps() > 0 && batch - lastCheckpointBatch >= run.checkpointEverySteps();
        if (stageEnd || periodic || batch == total) {
          dir.publish(METRICS_FILE); // before the commit: a resumed run finds every record before its checkpoint
          lastCommitted = store.commit(trainer.checkpoint(),
              new CheckpointStore.Position(batch, trainer.stepCount(), rollbacks));
          lastCheckpointBatch = batch;
          observer.checkpoint();
          if (stageEnd) {
            LOG.info("pretrain: stage {}/{} done at step {}: checkpoint {}", stageOf(batch - 1, total, run.stages()) + 1,
                run.stages(), trainer.stepCount(), store.location(lastCommitted));
          }
        }
        if (bench != null) {
          bench.maybeRun(batch - firstBatch, loader);
        }
      }
      dir.publish(METRICS_FILE);
      double benchSeconds = bench == null ? 0 : bench.blockSeconds();
      double wall = (System.nanoTime() - startNanos) / 1e9 - benchSeconds;
      double wait = loader.waitSeconds();
      progress.maybeLog(batch, plan.epochOf(Math.max(0, batch - 1)), null, trainedImages, wall, true);
      double bare = bench == null ? Double.NaN : bench.imagesPerSecond();
      Summary s = new Summary(trainer.stepCount(), batch, rollbacks, store.location(lastCommitted), wall, wait,
          wall > 0 ? trainedImages / wall : 0, lastLoss, bare);
      if (bench != null && trainedImages > 0) {
        String line = String.format("pretrain: bench: full stage %.1f img/s (%d images in %.1f s of stage time, "
            + "checkpoints included; trainer busy %.1f s = %.1f%%, waiting for data %.2f s), bare loop on one in-memory "
            + "batch %.1f img/s (%d steps in %d blocks interleaved with the stage, loader paused): full/bare = %.3f, "
            + "overhead %.1f%% (goal <= 10%%)", s.imagesPerSecond(), trainedImages, wall, stepSeconds,
            100 * stepSeconds / wall, wait, bare, bench.stepsRun(), bench.blocksRun(), s.imagesPerSecond() / bare,
            100 * (1 - s.imagesPerSecond() / bare));
        LOG.info(line);
      }
      LOG.info("pretrain: done: {} steps, {} rollbacks, {} img/s over {} s (trainer {} s, waiting for data {} s), "
          + "final checkpoint {}", s.steps(), rollbacks, String.format("%.1f", s.imagesPerSecond()),
          String.format("%.1f", wall), String.format("%.1f", stepSeconds), String.format("%.2f", wait),
          s.finalCheckpoint());
      return s;
    } finally {
      trainer.close();
      if (bench != null) {
        bench.close();
      }
    }
  }

  /** Stage of batch index {@code b} (0-based) when {@code total} batches are split into {@code stages}. */
  static int stageOf(long b, long total, int stages) {
    return (int) Math.min(stages - 1, b * stages / total);
  }

  /** Whether {@code batchesDone} batches complete a stage. */
  static boolean isStageEnd(long batchesDone, long total, int stages) {
    return batchesDone == total || stageOf(batchesDone - 1, total, stages) != stageOf(batchesDone, total, stages);
  }

  private static Map<String, Object> record(BatchLoader.Batch b, long batch, StepResult r, int rollbacks, double dt,
      int batchSize) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("batch", batch);
    m.put("step", r.step());
    m.put("epoch", b.epoch());
    m.put("loss", finite(r.loss()));
    m.put("mimLoss", finite(r.mimLoss()));
    m.put("conLoss", finite(r.conLoss()));
    m.put("lr", r.learningRate());
    m.put("momentum", r.momentum());
    m.put("gradNorm", finite(r.gradNorm()));
    m.put("stepSeconds", dt);
    m.put("imagesPerSecond", batchSize / dt);
    m.put("refused", r.refused());
    if (r.refused()) {
      m.put("reason", r.reason());
    }
    m.put("rollbacks", rollbacks);
    m.put("time", java.time.Instant.now().toString());
    return m;
  }

  private static Object finite(double v) {
    return Double.isFinite(v) ? (Object) v : String.valueOf(v);
  }

  private void writeRunJson(Path runDir, PretrainConfig config, DatasetManifest manifest, TrainingImages images,
      BatchPlan plan, long total) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.set("info", JSON.readTree(run.runInfoJson()));
    root.put("dataDir", run.dataDir());
    root.put("manifestSha256", manifestSha256(run.dataDir()));
    root.put("trainImages", images.count());
    root.put("epochs", run.epochs());
    root.put("stepsPerEpoch", plan.stepsPerEpoch());
    root.put("totalSteps", total);
    root.put("stages", run.stages());
    root.put("checkpointEverySteps", run.checkpointEverySteps());
    root.put("loaderThreads", run.loaderThreads());
    root.put("maxRollbacks", run.maxRollbacks());
    root.put("seed", config.seed());
    root.put("dataOrder", "permutation per epoch from seed; views from (seed, epoch, image index)");
    root.set("config", JSON.readTree(config.toJson()));
    Path tmp = runDir.resolve(".run.json.tmp");
    Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
    Files.move(tmp, runDir.resolve(RUN_FILE), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  static String manifestSha256(String dataDir) throws IOException {
    var file = DatasetPaths.resolve(dataDir, DatasetManifest.FILE_NAME);
    try (InputStream in = Channels.newInputStream(FileSystems.open(file))) {
      return TrainingImages.sha256(in.readAllBytes());
    }
  }
}
