package dev.symmim.transforms.index;

/** Vectors for cosine similarity: L2-normalized copies, so that a dot product is the cosine. */
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
    if (!(sum > 0) || !Double.isFinite(sum)) {
      return null;
    }
    float inv = (float) (1 / Math.sqrt(sum));
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i] * inv;
    }
    return out;
  }

  /** The dot product of two equally long vectors (the cosine of unit vectors). */
  public static float dot(float[] a, float[] b) {
    float s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
