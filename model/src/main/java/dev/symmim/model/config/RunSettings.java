package dev.symmim.model.config;

/**
 * Where and how a training run computes: the seed of initialization, data order, views and masks;
 * the precision; the device; torch intra-op and inter-op threads (0: the engine's default).
 */
public record RunSettings(long seed, Precision precision, DeviceKind device, int threads, int interopThreads) {
  public RunSettings {
    Checks.check(precision != null && device != null, "precision and device must be set");
    Checks.check(threads >= 0 && interopThreads >= 0,
        "threads must be >= 0 (0 = engine default), got " + threads + ", " + interopThreads);
  }

  /** Seed 0, fp32, GPU when present, the engine's thread counts. */
  public static RunSettings defaults() {
    return new RunSettings(0, Precision.FP32, DeviceKind.AUTO, 0, 0);
  }

  public RunSettings withSeed(long v) {
    return new RunSettings(v, precision, device, threads, interopThreads);
  }

  public RunSettings withThreads(int intraOp, int interOp) {
    return new RunSettings(seed, precision, device, intraOp, interOp);
  }
}
