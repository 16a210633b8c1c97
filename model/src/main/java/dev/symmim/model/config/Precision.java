package dev.symmim.model.config;

/** Compute precision. Master weights and optimizer state are always fp32. */
public enum Precision {
  FP32,
  /** bf16 matmuls/activations with fp32 master weights, by explicit casts (DJL has no autocast). */
  BF16
}
