package dev.symmim.model.train;

/** MoCo v3's EMA momentum per step: {@code end - (end - start) * (1 + cos(pi t / T)) / 2}, 0.99 -> 1. */
public record MomentumSchedule(double start, double end, long totalSteps) {
  public double at(long step) {
    double progress = Math.min(step, totalSteps) / (double) totalSteps;
    return end - (end - start) * 0.5 * (1 + Math.cos(Math.PI * progress));
  }
}
