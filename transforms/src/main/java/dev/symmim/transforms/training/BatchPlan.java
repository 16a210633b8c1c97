package dev.symmim.transforms.training;

import java.util.SplittableRandom;

/**
 * Which images make up global batch {@code b}: epoch {@code b / stepsPerEpoch}, a seeded
 * permutation per epoch, the last incomplete batch of an epoch dropped. A pure function of
 * (seed, image count, batch size, b), so a resumed run sees exactly the batches it would have.
 */
public final class BatchPlan {
  private final long seed;
  private final int images;
  private final int batchSize;

  public BatchPlan(long seed, int images, int batchSize) {
    if (batchSize < 2 || images < batchSize) {
      throw new IllegalArgumentException("need at least one batch of >= 2 images: " + images + " images, batch size "
          + batchSize);
    }
    this.seed = seed;
    this.images = images;
    this.batchSize = batchSize;
  }

  public long stepsPerEpoch() {
    return images / batchSize;
  }

  public int batchSize() {
    return batchSize;
  }

  public long epochOf(long batch) {
    return batch / stepsPerEpoch();
  }

  /** The image indices of global batch {@code batch}. */
  public long[] indices(long batch) {
    int[] perm = permutation(epochOf(batch));
    int start = (int) (batch % stepsPerEpoch()) * batchSize;
    long[] out = new long[batchSize];
    for (int i = 0; i < batchSize; i++) {
      out[i] = perm[start + i];
    }
    return out;
  }

  private int[] permutation(long epoch) {
    int[] p = new int[images];
    for (int i = 0; i < images; i++) {
      p[i] = i;
    }
    SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
    for (int i = images - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
