package dev.symmim.model.config;

import java.util.Arrays;

/** Per-channel mean and std of the input pixels in [0, 1] (the prepared dataset's statistics). */
public record Normalization(float[] mean, float[] std) {
  public Normalization {
    Checks.check(mean != null && std != null && mean.length == std.length && mean.length > 0,
        "channel mean/std must be non-empty and of the same length, got " + Arrays.toString(mean) + " / "
            + Arrays.toString(std));
    for (float s : std) {
      Checks.check(s > 0, "channelStd values must be > 0, got " + Arrays.toString(std));
    }
    mean = mean.clone();
    std = std.clone();
  }

  /** Mean 0.5 and std 0.25 for each of {@code channels}. */
  public static Normalization neutral(int channels) {
    float[] m = new float[channels];
    float[] s = new float[channels];
    Arrays.fill(m, 0.5f);
    Arrays.fill(s, 0.25f);
    return new Normalization(m, s);
  }

  public int channels() {
    return mean.length;
  }

  @Override
  public float[] mean() {
    return mean.clone();
  }

  @Override
  public float[] std() {
    return std.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Normalization n && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
  }

  @Override
  public String toString() {
    return "Normalization[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
  }
}
