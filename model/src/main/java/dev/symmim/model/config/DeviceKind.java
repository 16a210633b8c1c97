package dev.symmim.model.config;

/** Where to train: {@link #AUTO} picks the first GPU when the engine reports one, else the CPU. */
public enum DeviceKind {
  AUTO,
  CPU,
  GPU
}
