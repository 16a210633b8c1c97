package dev.symmim.transforms.index;

import dev.symmim.transforms.evaluate.Vectors;

/** Vectors for cosine similarity: unit-length copies, so that a dot product is the cosine. */
public final class CosineVectors {
  private CosineVectors() {}

  /**
   * A unit-length copy of {@code v}, or null when {@code v} has a non-finite component or zero
   * length (no direction, so no cosine).
   */
  public static float[] normalized(float[] v) {
    double sum = 0;
    for (float x : v) {
      if (!Float.isFinite(x)) {
        return null;
      }
      sum += (double) x * x;
    }
    return sum > 0 && Double.isFinite(sum) ? Vectors.normalized(v) : null;
  }
}
