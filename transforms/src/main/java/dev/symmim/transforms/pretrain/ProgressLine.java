package dev.symmim.transforms.pretrain;

import dev.symmim.model.train.StepResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The periodic progress line: stage, epoch, step/total, loss parts, lr, momentum, img/s, ETA. */
final class ProgressLine {
  private static final Logger LOG = LoggerFactory.getLogger(ProgressLine.class);
  private final double everySeconds;
  private final long total;
  private final int stages;
  private final long stepsPerEpoch;
  private double lastLog = Double.NEGATIVE_INFINITY;
  private long firstBatch = -1;

  ProgressLine(double everySeconds, long total, int stages, long stepsPerEpoch) {
    this.everySeconds = everySeconds;
    this.total = total;
    this.stages = stages;
    this.stepsPerEpoch = stepsPerEpoch;
  }

  void maybeLog(long batchesDone, long epoch, StepResult r, long images, double seconds, boolean force) {
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
    String losses = r == null ? "" : String.format(" loss=%.4f (mim %.4f, con %.4f) lr=%.3g m=%.5f",
        r.loss(), r.mimLoss(), r.conLoss(), r.learningRate(), r.momentum());
    LOG.info(String.format("pretrain: stage %d/%d epoch %d/%d step %d/%d%s %.1f img/s ETA %s",
        PretrainingLoop.stageOf(Math.max(0, batchesDone - 1), total, stages) + 1, stages, epoch + 1,
        total / stepsPerEpoch, batchesDone, total, losses, rate, eta(eta)));
  }

  private static String eta(double s) {
    if (!Double.isFinite(s)) {
      return "?";
    }
    long t = Math.round(s);
    return String.format("%d:%02d:%02d", t / 3600, (t / 60) % 60, t % 60);
  }
}
