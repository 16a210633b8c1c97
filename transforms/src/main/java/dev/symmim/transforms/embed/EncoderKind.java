package dev.symmim.transforms.embed;

/** Which features {@code symmim embed} computes. */
public enum EncoderKind {
  /** The checkpoint's online encoder (CLS token after the final LayerNorm): what SymMIM trains. */
  online,
  /** The checkpoint's EMA (momentum) encoder. */
  momentum,
  /** The checkpoint's architecture with freshly initialized weights (seeded): a baseline. */
  random,
  /** Raw pixels, each channel standardized with the dataset's mean and std: a baseline. */
  pixels,
  /**
   * Raw pixels minus the train split's mean image, scaled by the channel std: the strongest simple
   * raw-pixel baseline (METHOD.md section 7).
   */
  centredPixels;

  /** Whether the features are pixels (no checkpoint, no read-out). */
  public boolean isPixels() {
    return this == pixels || this == centredPixels;
  }
}
