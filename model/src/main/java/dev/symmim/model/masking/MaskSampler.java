package dev.symmim.model.masking;

import dev.symmim.model.random.SeededRandom;

/** Draws the per-sample mask pair of a run's {@link MaskKind}; consumes RNG only where the kind is random. */
public final class MaskSampler {
  private final PatchGrid grid;
  private final MaskKind kind;
  private final Parity parity;
  private final int symmetricBlock;
  private final double randomRatio;
  private final int randomBlock;
  private final double blockRatio;
  private final MaskPair[] fixedPairs;

  /**
   * @param symmetricBlock k of M2, in patches
   * @param randomRatio MAE ratio for {@link MaskKind#RANDOM}
   * @param randomBlock SimMIM block side in patches for {@link MaskKind#BLOCKS}
   * @param blockRatio SimMIM ratio for {@link MaskKind#BLOCKS}
   */
  public MaskSampler(PatchGrid grid, MaskKind kind, Parity parity, int symmetricBlock,
      double randomRatio, int randomBlock, double blockRatio) {
    this.grid = grid;
    this.kind = kind;
    this.parity = parity;
    this.symmetricBlock = symmetricBlock;
    this.randomRatio = randomRatio;
    this.randomBlock = randomBlock;
    this.blockRatio = blockRatio;
    if (kind == MaskKind.SYMMETRIC) {
      fixedPairs = new MaskPair[] {symmetricPair(0), symmetricPair(1)};
    } else {
      fixedPairs = null;
      // Fail early on bad parameters.
      sample(new SeededRandom(0));
    }
  }

  private MaskPair symmetricPair(int s) {
    return new MaskPair(Masks.checkerboard(grid, s), Masks.blockCheckerboard(grid, symmetricBlock, s));
  }

  public PatchGrid grid() {
    return grid;
  }

  public MaskPair sample(SeededRandom rng) {
    switch (kind) {
      case SYMMETRIC:
        return fixedPairs[parity == Parity.RANDOM ? rng.nextInt(2) : 0];
      case RANDOM:
        return new MaskPair(Masks.random(grid, randomRatio, rng), Masks.random(grid, randomRatio, rng));
      case BLOCKS:
        return new MaskPair(
            Masks.randomBlocks(grid, randomBlock, blockRatio, rng),
            Masks.randomBlocks(grid, randomBlock, blockRatio, rng));
      default:
        throw new IllegalStateException("unknown mask kind " + kind);
    }
  }

  /** Masks of a batch as two flat {@code [n * L]} arrays of 1/0 and the masked counts. */
  public BatchMasks sampleBatch(int n, SeededRandom rng) {
    int l = grid.size();
    float[] online = new float[n * l];
    float[] momentum = new float[n * l];
    int onlineCount = 0;
    for (int b = 0; b < n; b++) {
      MaskPair pair = sample(rng);
      pair.online().writeTo(online, b * l);
      pair.momentum().writeTo(momentum, b * l);
      onlineCount += pair.online().maskedCount();
    }
    return new BatchMasks(online, momentum, onlineCount);
  }

  /** Flat batch masks; {@code onlineMaskedCount} is the number of masked online patches. */
  public record BatchMasks(float[] online, float[] momentum, int onlineMaskedCount) {}
}
