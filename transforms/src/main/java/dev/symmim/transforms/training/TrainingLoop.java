package dev.symmim.transforms.training;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop every training stage shares, in named steps: {@link #restore} the latest committed
 * checkpoint or start a run; {@link #step} through the batches (a refused step rolls back to the
 * last committed checkpoint); {@link #log} metrics and progress; {@link #checkpoint} at stage ends,
 * every {@code checkpointEverySteps}, every {@code checkpointEveryMinutes} and on a preemption notice
 * (SIGTERM, see {@link Preemption}); {@link #finish}. A run directory on gs:// is worked on in
 * a local temporary directory: checkpoints are committed to GCS, {@code metrics.jsonl} is uploaded
 * before every commit and at the end, {@code run.json} when it is written, and both are fetched on
 * resume. Every logged step also goes to the run's TensorBoard event files ({@link TensorBoardLog}).
 * No Beam types: a stage's DoFn turns the {@link Observer} calls into counters.
 *
 * @param <B> the batch type of the stage
 */
public final class TrainingLoop<B> {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingLoop.class);
  public static final String METRICS_FILE = "metrics.jsonl";
  public static final String RUN_FILE = "run.json";

  /**
   * How the loop runs, whatever the stage.
   *
   * @param runDir a local path or gs:// URI
   * @param gcsEndpoint which GCS a gs:// run directory is on
   * @param stages checkpointed stages the run is split into
   * @param checkpointEverySteps extra checkpoints every this many batches (0: only at stage ends)
   * @param checkpointEveryMinutes extra checkpoints every this many minutes of training (0: none)
   * @param keepCheckpoints committed checkpoints kept
   * @param maxRollbacks NaN-guard rollbacks allowed before the run stops
   * @param logEverySeconds at most one progress line per this many seconds
   * @param metricsEverySteps one metrics.jsonl record per this many batches
   */
  public record Settings(String runDir, GcsEndpoint gcsEndpoint, int stages, long checkpointEverySteps,
      double checkpointEveryMinutes, int keepCheckpoints, int maxRollbacks, double logEverySeconds, int metricsEverySteps) {}

  /** Receives what a stage's DoFn turns into Beam counters. */
  public interface Observer {
    void step(StepOutcome outcome, int images, double seconds);

    void rollback();

    void checkpoint();
  }

  /**
   * The outcome of a finished run. {@code trainSeconds} and {@code imagesPerSecond} are stage time
   * (time spent in the task's after-batch hooks excluded); {@code stepSeconds} is time inside the
   * trainer's steps.
   */
  public record Summary(long steps, long batches, int rollbacks, String finalCheckpoint, double trainSeconds,
      double dataWaitSeconds, double imagesPerSecond, double lastLoss, double stepSeconds) {}

  private final TrainingTask<B> task;
  private final Settings settings;
  private final Observer observer;

  // The state of one attempt.
  private RunDirectory dir;
  private CheckpointStore store;
  private Trainer<B> trainer;
  private Path lastCommitted;
  private int rollbacks;
  private long batch;
  private long lastCheckpointBatch;
  private long lastCheckpointNanos;
  private long trainedImages;
  private double lastLoss = Double.NaN;
  private double stepSeconds;
  private double hookSeconds;
  private long startNanos;
  private MetricsLog metrics;
  private TensorBoardLog events;
  private ProgressLine progress;

  public TrainingLoop(TrainingTask<B> task, Settings settings, Observer observer) {
    this.task = task;
    this.settings = settings;
    this.observer = observer;
  }

  /** Trains to the end (or resumes and trains to the end); returns the summary. */
  public Summary run() throws IOException, InterruptedException {
    try (RunDirectory d = RunDirectory.open(settings.runDir(), settings.gcsEndpoint(), "symmim " + task.name())) {
      dir = d;
      restore();
      try (TensorBoardLog tensorBoard = TensorBoardLog.open(dir, trainer.stepCount() + 1)) {
        events = tensorBoard;
        task.start(dir, batch, tensorBoard);
        Preemption.enter(this);
        try {
          return train();
        } finally {
          Preemption.leave(this);
          trainer.close();
        }
      }
    } finally {
      task.close();
    }
  }

  /** Resumes from the latest committed checkpoint, or starts a new run (run.json, checkpoint at step 0). */
  private void restore() throws IOException {
    store = dir.checkpoints(settings.keepCheckpoints());
    store.removeLeftovers();
    Optional<CheckpointStore.Committed> latest = store.latest();
    CheckpointStore.Position position;
    if (latest.isPresent()) {
      trainer = task.restore(latest.get().dir(), store.location(latest.get().dir()));
      position = latest.get().position();
      LOG.info("{}: resuming from {} (batch {}, step {})", task.name(), store.location(latest.get().dir()),
          position.nextBatch(), position.step());
      dir.fetch(METRICS_FILE);
    } else {
      task.writeRunFile(dir.local().resolve(RUN_FILE));
      dir.publish(RUN_FILE);
      trainer = task.create();
      position = new CheckpointStore.Position(0, 0, 0);
      store.commit(trainer.snapshot(), position);
      LOG.info("{}: new run, {} steps per epoch, {} steps", task.name(), task.plan().stepsPerEpoch(),
          task.totalBatches());
    }
    LOG.info("{}: device: {}", task.name(), trainer.device());
    lastCommitted = store.latest().orElseThrow().dir();
    rollbacks = position.rollbacks();
    batch = position.nextBatch();
    lastCheckpointBatch = batch;
    lastCheckpointNanos = System.nanoTime();
  }

  private Summary train() throws IOException, InterruptedException {
    long total = task.totalBatches();
    startNanos = System.nanoTime();
    progress = new ProgressLine(task.name(), settings.logEverySeconds(), total, settings.stages(),
        task.plan().stepsPerEpoch());
    try (MetricsLog log = new MetricsLog(dir.local().resolve(METRICS_FILE), batch);
        BatchSource<B> batches = task.batches(batch, total)) {
      metrics = log;
      while (batch < total) {
        B b = batches.take();
        if (step(b)) {
          checkpoint();
        }
        if (Preemption.requested()) {
          stopOnNotice();
        }
        hookSeconds += task.afterBatch(batch, trainer, batches);
      }
      return finish(batches);
    }
  }

  /** Trains one batch; returns false when the NaN guard refused it (rolled back). */
  private boolean step(B b) throws IOException {
    long t0 = System.nanoTime();
    StepOutcome r = trainer.step(b);
    double dt = (System.nanoTime() - t0) / 1e9;
    stepSeconds += dt;
    long index = batch++;
    int images = task.plan().batchSize();
    if (r.refused()) {
      rollbacks++;
      observer.rollback();
      if (rollbacks > settings.maxRollbacks()) {
        throw new IllegalStateException(task.name() + ": non-finite loss at batch " + index + " (" + r.reason() + "): "
            + rollbacks + " rollbacks exceed the limit of " + settings.maxRollbacks() + "; last good checkpoint "
            + store.location(lastCommitted));
      }
      LOG.warn("{}: {} at batch {}: rolling back to {} and continuing with batch {} (rollback {} of {})", task.name(),
          r.reason(), index, store.location(lastCommitted), batch, rollbacks, settings.maxRollbacks());
      trainer.close();
      trainer = task.restore(lastCommitted, store.location(lastCommitted));
      events.restart(trainer.stepCount() + 1);
      log(index, r, dt, true);
      return false;
    }
    trainedImages += images;
    lastLoss = r.loss();
    observer.step(r, images, dt);
    log(index, r, dt, false);
    return true;
  }

  /**
   * A metrics.jsonl record (every {@code metricsEverySteps}, the last batch and every refused step),
   * its scalars as a TensorBoard event at the trainer's step (not for a refused step) and the progress line.
   */
  private void log(long index, StepOutcome r, double dt, boolean force) throws IOException {
    long total = task.totalBatches();
    if (force || index % Math.max(1, settings.metricsEverySteps()) == 0 || index + 1 == total) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("batch", index);
      m.put("step", r.step());
      m.put("epoch", task.plan().epochOf(index));
      m.putAll(r.metrics());
      m.put("stepSeconds", dt);
      m.put("imagesPerSecond", task.plan().batchSize() / dt);
      m.put("refused", r.refused());
      if (r.refused()) {
        m.put("reason", r.reason());
      }
      m.put("rollbacks", rollbacks);
      m.put("time", Instant.now().toString());
      metrics.write(m);
      if (!r.refused()) {
        events.write(r.step(), m);
      }
    }
    if (!r.refused()) {
      progress.maybeLog(batch, task.plan().epochOf(index), r.progress(), trainedImages, elapsed(), false);
    }
  }

  /**
   * Commits a checkpoint at a stage end, every {@code checkpointEverySteps} batches, every
   * {@code checkpointEveryMinutes} and after the last batch.
   */
  private void checkpoint() throws IOException {
    long total = task.totalBatches();
    boolean stageEnd = isStageEnd(batch, total, settings.stages());
    boolean periodic = settings.checkpointEverySteps() > 0 && batch - lastCheckpointBatch >= settings.checkpointEverySteps();
    boolean timed = settings.checkpointEveryMinutes() > 0
        && System.nanoTime() - lastCheckpointNanos >= settings.checkpointEveryMinutes() * 60e9;
    if (!(stageEnd || periodic || timed || batch == total)) {
      return;
    }
    commit();
    if (stageEnd) {
      LOG.info("{}: stage {}/{} done at step {}: checkpoint {}", task.name(),
          stageOf(batch - 1, total, settings.stages()) + 1, settings.stages(), trainer.stepCount(),
          store.location(lastCommitted));
    }
  }

  private void commit() throws IOException {
    dir.publish(METRICS_FILE); // before the commit: a resumed run finds every record before its checkpoint
    events.publish();
    lastCommitted = store.commit(trainer.snapshot(),
        new CheckpointStore.Position(batch, trainer.stepCount(), rollbacks));
    lastCheckpointBatch = batch;
    lastCheckpointNanos = System.nanoTime();
    observer.checkpoint();
  }

  /** On a preemption notice: commits the batches since the last checkpoint and stops the run. */
  private void stopOnNotice() throws IOException {
    if (batch > lastCheckpointBatch) {
      commit();
    }
    String message = task.name() + ": stopped by a preemption notice (SIGTERM) after batch " + batch + " of "
        + task.totalBatches() + "; checkpoint " + store.location(lastCommitted)
        + " committed: run the same command again to resume";
    LOG.warn(message);
    throw new Preemption.Stopped(message);
  }

  private Summary finish(BatchSource<B> batches) throws IOException {
    dir.publish(METRICS_FILE);
    double wall = elapsed();
    progress.maybeLog(batch, task.plan().epochOf(Math.max(0, batch - 1)), "", trainedImages, wall, true);
    Summary s = new Summary(trainer.stepCount(), batch, rollbacks, store.location(lastCommitted), wall,
        batches.waitSeconds(), wall > 0 ? trainedImages / wall : 0, lastLoss, stepSeconds);
    task.finish(s, trainer, dir);
    events.publish();
    LOG.info("{}: done: {} steps, {} rollbacks, {} img/s over {} s (trainer {} s, waiting for data {} s), "
        + "final checkpoint {}", task.name(), s.steps(), rollbacks, String.format("%.1f", s.imagesPerSecond()),
        String.format("%.1f", wall), String.format("%.1f", stepSeconds), String.format("%.2f", s.dataWaitSeconds()),
        s.finalCheckpoint());
    return s;
  }

  /** Stage time of this attempt so far: wall time less the time spent in the task's hooks. */
  private double elapsed() {
    return (System.nanoTime() - startNanos) / 1e9 - hookSeconds;
  }

  /** Stage of batch index {@code b} (0-based) when {@code total} batches are split into {@code stages}. */
  static int stageOf(long b, long total, int stages) {
    return (int) Math.min(stages - 1, b * stages / total);
  }

  /** Whether {@code batchesDone} batches complete a stage. */
  static boolean isStageEnd(long batchesDone, long total, int stages) {
    return batchesDone == total || stageOf(batchesDone - 1, total, stages) != stageOf(batchesDone, total, stages);
  }
}
