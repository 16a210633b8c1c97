package dev.symmim.model.masking;

import dev.symmim.model.random.SeededRandom;

/** Masks as pure functions of a grid and their parameters (and an explicit RNG for the random ones). */
public final class Masks {
  private Masks() {}

  /** Small-scale SymMIM mask {@code M1(i,j) = (i + j + s) mod 2}. */
  public static Mask checkerboard(PatchGrid grid, int parity) {
    return blockCheckerboard(grid, 1, parity);
  }

  /**
   * Large-scale SymMIM mask {@code M2(i,j) = (floor(i/k) + floor(j/k) + s) mod 2}.
   *
   * @throws IllegalArgumentException if k does not divide both grid sides (the mask would not be
   *     symmetric under 180-degree rotation)
   */
  public static Mask blockCheckerboard(PatchGrid grid, int k, int parity) {
    checkParity(parity);
    requireDivides(grid, k, "mask block size k");
    boolean[] m = new boolean[grid.size()];
    for (int i = 0; i < grid.rows(); i++) {
      for (int j = 0; j < grid.cols(); j++) {
        m[grid.index(i, j)] = ((i / k + j / k + parity) & 1) == 1;
      }
    }
    return new Mask(grid, m);
  }

  /** MAE-style: exactly {@code round(ratio * L)} patches masked, uniformly at random. */
  public static Mask random(PatchGrid grid, double ratio, SeededRandom rng) {
    checkRatio(ratio);
    int n = grid.size();
    int count = (int) Math.round(ratio * n);
    return new Mask(grid, chooseCells(n, count, rng));
  }

  /**
   * SimMIM-style: the grid is tiled by {@code block x block} patch blocks and
   * {@code ceil(ratio * blocks)} of them are masked at random.
   */
  public static Mask randomBlocks(PatchGrid grid, int block, double ratio, SeededRandom rng) {
    checkRatio(ratio);
    requireDivides(grid, block, "random block size");
    int br = grid.rows() / block;
    int bc = grid.cols() / block;
    boolean[] blocks = chooseCells(br * bc, (int) Math.ceil(ratio * br * bc), rng);
    boolean[] m = new boolean[grid.size()];
    for (int i = 0; i < grid.rows(); i++) {
      for (int j = 0; j < grid.cols(); j++) {
        m[grid.index(i, j)] = blocks[(i / block) * bc + j / block];
      }
    }
    return new Mask(grid, m);
  }

  /** Partial Fisher-Yates: {@code count} distinct cells out of {@code n}. */
  private static boolean[] chooseCells(int n, int count, SeededRandom rng) {
    int[] order = new int[n];
    for (int k = 0; k < n; k++) {
      order[k] = k;
    }
    boolean[] chosen = new boolean[n];
    for (int k = 0; k < count; k++) {
      int r = k + rng.nextInt(n - k);
      int t = order[k];
      order[k] = order[r];
      order[r] = t;
      chosen[order[k]] = true;
    }
    return chosen;
  }

  /** Throws unless {@code k} divides both sides of the grid; the message names the values. */
  public static void requireDivides(PatchGrid grid, int k, String what) {
    if (k <= 0 || grid.rows() % k != 0 || grid.cols() % k != 0) {
      throw new IllegalArgumentException(
          what + " " + k + " does not divide the patch grid " + grid.rows() + "x" + grid.cols()
              + ": choose a block size that divides the grid side (image size / patch size),"
              + " or change the image size");
    }
  }

  private static void checkParity(int parity) {
    if (parity != 0 && parity != 1) {
      throw new IllegalArgumentException("parity s must be 0 or 1, got " + parity);
    }
  }

  private static void checkRatio(double ratio) {
    if (!(ratio > 0 && ratio < 1)) {
      throw new IllegalArgumentException("mask ratio must be in (0, 1), got " + ratio);
    }
  }
}
