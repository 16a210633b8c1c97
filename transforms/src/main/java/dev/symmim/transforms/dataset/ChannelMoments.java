package dev.symmim.transforms.dataset;

import dev.symmim.transforms.images.RasterImage;
import java.io.Serializable;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.Combine;

/**
 * Exact per-channel pixel sums and sums of squares (integers, so the result does not depend on the
 * order examples are combined in), from which the mean and standard deviation in [0, 1] follow.
 */
public final class ChannelMoments implements Serializable {
  private static final long serialVersionUID = 1L;

  private long[] sum = new long[0];
  private long[] sumSquares = new long[0];
  private long pixels;

  public int channels() {
    return sum.length;
  }

  public long pixels() {
    return pixels;
  }

  public void add(RasterImage image) {
    int c = image.channels();
    ensure(c);
    byte[] p = image.pixels();
    for (int ch = 0; ch < c; ch++) {
      long s = 0;
      long sq = 0;
      for (int i = ch; i < p.length; i += c) {
        int v = p[i] & 0xff;
        s += v;
        sq += v * v;
      }
      sum[ch] += s;
      sumSquares[ch] += sq;
    }
    pixels += (long) image.height() * image.width();
  }

  public void merge(ChannelMoments other) {
    if (other.pixels == 0) {
      return;
    }
    ensure(other.channels());
    for (int i = 0; i < sum.length; i++) {
      sum[i] += other.sum[i];
      sumSquares[i] += other.sumSquares[i];
    }
    pixels += other.pixels;
  }

  private void ensure(int channels) {
    if (sum.length == 0) {
      sum = new long[channels];
      sumSquares = new long[channels];
    } else if (sum.length != channels) {
      throw new IllegalStateException("examples mix " + sum.length + " and " + channels + " channels");
    }
  }

  /** Mean per channel, pixels scaled to [0, 1]. */
  public double[] mean() {
    double[] m = new double[sum.length];
    for (int i = 0; i < m.length; i++) {
      m[i] = pixels == 0 ? 0 : sum[i] / (255.0 * pixels);
    }
    return m;
  }

  /** Population standard deviation per channel, pixels scaled to [0, 1]. */
  public double[] std() {
    double[] s = new double[sum.length];
    for (int i = 0; i < s.length; i++) {
      if (pixels == 0) {
        continue;
      }
      double mean = (double) sum[i] / pixels;
      double var = (double) sumSquares[i] / pixels - mean * mean;
      s[i] = Math.sqrt(Math.max(0, var)) / 255.0;
    }
    return s;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChannelMoments m && pixels == m.pixels
        && java.util.Arrays.equals(sum, m.sum) && java.util.Arrays.equals(sumSquares, m.sumSquares);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(sum) * 31 + Long.hashCode(pixels);
  }

  /** Merges partial moments into the total. */
  public static Combine.CombineFn<ChannelMoments, ChannelMoments, ChannelMoments> mergeFn() {
    return new MergeFn();
  }

  static class MergeFn extends Combine.CombineFn<ChannelMoments, ChannelMoments, ChannelMoments> {
    @Override
    public ChannelMoments createAccumulator() {
      return new ChannelMoments();
    }

    @Override
    public ChannelMoments addInput(ChannelMoments acc, ChannelMoments part) {
      acc.merge(part);
      return acc;
    }

    @Override
    public ChannelMoments mergeAccumulators(Iterable<ChannelMoments> accs) {
      ChannelMoments merged = new ChannelMoments();
      accs.forEach(merged::merge);
      return merged;
    }

    @Override
    public ChannelMoments extractOutput(ChannelMoments acc) {
      return acc;
    }

    @Override
    public Coder<ChannelMoments> getAccumulatorCoder(CoderRegistry registry, Coder<ChannelMoments> in) {
      return SerializableCoder.of(ChannelMoments.class);
    }

    @Override
    public Coder<ChannelMoments> getDefaultOutputCoder(CoderRegistry registry, Coder<ChannelMoments> in) {
      return SerializableCoder.of(ChannelMoments.class);
    }
  }
}
