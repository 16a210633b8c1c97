package dev.symmim.transforms.evaluate;

/** Dense float vector kernels shared by the distributed and the in-memory k-NN (same arithmetic). */
public final class Vectors {
  private Vectors() {}

  /** Dot product of {@code a[ao..ao+d)} and {@code b[bo..bo+d)}, with a fixed summation order. */
  public static float dot(float[] a, int ao, float[] b, int bo, int d) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int i = 0;
    for (; i + 3 < d; i += 4) {
      s0 += a[ao + i] * b[bo + i];
      s1 += a[ao + i + 1] * b[bo + i + 1];
      s2 += a[ao + i + 2] * b[bo + i + 2];
      s3 += a[ao + i + 3] * b[bo + i + 3];
    }
    for (; i < d; i++) {
      s0 += a[ao + i] * b[bo + i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /** {@code v / max(||v||, 1e-12)} as a new array. */
  public static float[] normalized(float[] v) {
    double n = 0;
    for (float x : v) {
      n += (double) x * x;
    }
    float inv = (float) (1.0 / Math.max(Math.sqrt(n), 1e-12));
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i] * inv;
    }
    return out;
  }

  /** The vector of an Avro float list. */
  public static float[] of(java.util.List<Float> values) {
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }
}
