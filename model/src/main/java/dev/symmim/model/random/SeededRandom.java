package dev.symmim.model.random;

/**
 * A SplitMix64 random stream whose whole state is one {@code long}, so it can be saved in a
 * checkpoint and restored bitwise. Not thread-safe: give each thread its own stream, e.g.
 * {@link #forSample(long, long, long)} in a data loader.
 */
public final class SeededRandom {
  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

  private long state;

  public SeededRandom(long seed) {
    this.state = seed;
  }

  /** An independent stream for one sample of one epoch: the same triple always gives the same stream. */
  public static SeededRandom forSample(long seed, long epoch, long index) {
    long s = mix(seed + GOLDEN_GAMMA);
    s = mix(s ^ (epoch + 0x632BE59BD9B4E019L));
    s = mix(s ^ (index + 0x85157AF5L * GOLDEN_GAMMA));
    return new SeededRandom(s);
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  public long nextLong() {
    state += GOLDEN_GAMMA;
    return mix(state);
  }

  /** Uniform in [0, 1). */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform in [lo, hi). */
  public double uniform(double lo, double hi) {
    return lo + (hi - lo) * nextDouble();
  }

  /** Uniform in [0, bound). */
  public int nextInt(int bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive, got " + bound);
    }
    return (int) Math.floorMod(nextLong() >>> 1, (long) bound);
  }

  /** True with probability {@code p}. */
  public boolean chance(double p) {
    return nextDouble() < p;
  }

  /** Standard normal (Box-Muller, no cached second value, so the state stays one long). */
  public double nextGaussian() {
    double u1 = 1.0 - nextDouble();
    double u2 = nextDouble();
    return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
  }

  /** A new stream seeded from this one. */
  public SeededRandom split() {
    return new SeededRandom(nextLong());
  }

  public long state() {
    return state;
  }

  public void restore(long savedState) {
    this.state = savedState;
  }
}
