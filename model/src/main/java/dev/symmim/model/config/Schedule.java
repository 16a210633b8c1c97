package dev.symmim.model.config;

/**
 * Step-based schedules: linear warmup then half-cycle cosine of the learning rate over
 * {@code totalSteps}; the EMA momentum from {@code momentumStart} to {@code momentumEnd} on a cosine.
 */
public record Schedule(long warmupSteps, long totalSteps, double momentumStart, double momentumEnd) {
  public Schedule {
    Checks.check(totalSteps > 0, "totalSteps must be > 0, got " + totalSteps);
    Checks.check(warmupSteps >= 0 && warmupSteps <= totalSteps,
        "warmupSteps must be in [0, totalSteps=" + totalSteps + "], got " + warmupSteps);
    Checks.check(momentumStart >= 0 && momentumStart <= momentumEnd && momentumEnd <= 1,
        "need 0 <= momentumStart <= momentumEnd <= 1, got " + momentumStart + ", " + momentumEnd);
  }

  /** {@code totalSteps} steps without warmup, momentum 0.99 -> 1 (METHOD.md). */
  public static Schedule steps(long totalSteps) {
    return new Schedule(0, totalSteps, 0.99, 1.0);
  }

  /**
   * {@code epochs} of {@code stepsPerEpoch} with METHOD.md's warmup rule: 40 warmup epochs, 10 when
   * training for at most 300 epochs, and never more than half of the run.
   */
  public static Schedule epochs(int epochs, long stepsPerEpoch) {
    Checks.check(epochs > 0 && stepsPerEpoch > 0,
        "epochs and stepsPerEpoch must be positive, got " + epochs + ", " + stepsPerEpoch);
    long warmupEpochs = Math.min(epochs <= 300 ? 10 : 40, epochs / 2);
    return new Schedule(warmupEpochs * stepsPerEpoch, epochs * stepsPerEpoch, 0.99, 1.0);
  }

  public Schedule withWarmup(long steps) {
    return new Schedule(steps, totalSteps, momentumStart, momentumEnd);
  }

  public Schedule withMomentum(double start, double end) {
    return new Schedule(warmupSteps, totalSteps, start, end);
  }
}
