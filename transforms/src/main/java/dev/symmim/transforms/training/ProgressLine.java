package dev.symmim.transforms.training;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The periodic progress line of a training stage: stage, epoch, step/total, the step's losses, img/s, ETA. */
public final class ProgressLine {
  private static final Logger LOG = LoggerFactory.getLogger(ProgressLine.class);
  private final String name;
  private final double everySeconds;
  private final long total;
  private final int stages;
  private final long stepsPerEpoch;
  private double lastLog = Double.NEGATIVE_INFINITY;
  private long firstBatch = -1;

  ProgressLine(String name, double everySeconds, long total, int stages, long stepsPerEpoch) {
    this.name = name;
    this.everySeconds = everySeconds;
    this.total = total;
    this.stages = stages;
    this.stepsPerEpoch = stepsPerEpoch;
  }

  /** Logs at most every {@code everySeconds} (always with {@code force}); {@code step} is the step's own part. */
  void maybeLog(long batchesDone, long epoch, String step, long images, double seconds, boolean force) {
    if (firstBatch < 0) {
      firstBatch = batchesDone - 1;
    }
    if (!force && seconds - lastLog < everySeconds) {
      return;
    }
    lastLog = seconds;
    double rate = seconds > 0 ? images / seconds : 0;
    double batchesPerSecond = seconds > 0 ? (batchesDone - firstBatch) / seconds : 0;
    double eta = batchesPerSecond > 0 ? (total - batchesDone) / batchesPerSecond : Double.NaN;
    LOG.info(String.format("%s: stage %d/%d epoch %d/%d step %d/%d%s %.1f img/s ETA %s", name,
        TrainingLoop.stageOf(Math.max(0, batchesDone - 1), total, stages) + 1, stages, epoch + 1,
        total / stepsPerEpoch, batchesDone, total, step.isEmpty() ? "" : " " + step, rate, eta(eta)));
  }

  /** {@code h:mm:ss} for a duration in seconds; "?" when unknown. */
  public static String eta(double s) {
    if (!Double.isFinite(s)) {
      return "?";
    }
    long t = Math.round(s);
    return String.format("%d:%02d:%02d", t / 3600, (t / 60) % 60, t % 60);
  }
}
