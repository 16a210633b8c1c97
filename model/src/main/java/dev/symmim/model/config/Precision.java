package dev.symmim.model.config;

/** Compute precision. Master weights and optimizer state are always fp32. */
public enum Precision {
  FP32,
  /**
   * bf16 compute with fp32 master weights by explicit per-step casts (DJL has no autocast). Not
   * trainable with DJL 0.36: falls back to fp32 with a warning, see {@code TorchRuntime.computeType}.
   */
  BF16
}
