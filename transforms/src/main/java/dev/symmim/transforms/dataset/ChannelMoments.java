package dev.symmim.transforms.dataset;

import dev.symmim.schemas.Example;
import dev.symmim.transforms.failures.BadInputException;
import dev.symmim.transforms.images.ImagePreprocessor;
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

  void add(RasterImage image) {
    int c = image.channels();
    ensure(c);
    byte[] p = image.pixels();
    for (int i = 0; i < p.length; i++) {
      int v = p[i] & 0xff;
      sum[i % c] += v;
      sumSquares[i % c] += v * v;
    }
    pixels += (long) image.height() * image.width();
  }

  void merge(ChannelMoments other) {
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

  /** Combines examples into their moments. */
  public static Combine.CombineFn<Example, ChannelMoments, ChannelMoments> combineFn() {
    return new MomentsFn();
  }

  static class MomentsFn extends Combine.CombineFn<Example, ChannelMoments, ChannelMoments> {
    @Override
    public ChannelMoments createAccumulator() {
      return new ChannelMoments();
    }

    @Override
    public ChannelMoments addInput(ChannelMoments acc, Example e) {
      try {
        acc.add(ImagePreprocessor.rawPixels(e));
      } catch (BadInputException ex) {
        // The example was encoded by this pipeline a moment ago: failing to decode it is a bug.
        throw new IllegalStateException("cannot decode prepared example " + e.getId(), ex);
      }
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
    public Coder<ChannelMoments> getAccumulatorCoder(CoderRegistry registry, Coder<Example> in) {
      return SerializableCoder.of(ChannelMoments.class);
    }

    @Override
    public Coder<ChannelMoments> getDefaultOutputCoder(CoderRegistry registry, Coder<Example> in) {
      return SerializableCoder.of(ChannelMoments.class);
    }
  }
}
