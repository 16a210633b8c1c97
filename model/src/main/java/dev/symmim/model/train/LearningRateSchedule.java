package dev.symmim.model.train;

/** MAE's schedule per step: linear warmup from 0 to the peak, then half-cycle cosine to {@code min}. */
public record LearningRateSchedule(double peak, double min, long warmupSteps, long totalSteps) {
  public double at(long step) {
    long t = Math.min(step, totalSteps);
    if (t < warmupSteps) {
      return peak * t / warmupSteps;
    }
    double progress = (t - warmupSteps) / (double) Math.max(1, totalSteps - warmupSteps);
    return min + (peak - min) * 0.5 * (1 + Math.cos(Math.PI * progress));
  }
}
