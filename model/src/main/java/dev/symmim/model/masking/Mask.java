package dev.symmim.model.masking;

import java.util.Arrays;

/** An immutable patch mask: {@code true} (1) = masked, {@code false} (0) = visible. Row-major. */
public final class Mask {
  private final PatchGrid grid;
  private final boolean[] masked;

  Mask(PatchGrid grid, boolean[] masked) {
    if (masked.length != grid.size()) {
      throw new IllegalArgumentException("mask has " + masked.length + " cells for grid " + grid);
    }
    this.grid = grid;
    this.masked = masked;
  }

  public PatchGrid grid() {
    return grid;
  }

  public boolean isMasked(int i, int j) {
    return masked[grid.index(i, j)];
  }

  public int maskedCount() {
    int n = 0;
    for (boolean m : masked) {
      n += m ? 1 : 0;
    }
    return n;
  }

  public double ratio() {
    return maskedCount() / (double) grid.size();
  }

  /** The mask rotated by 180 degrees: cell (i, j) moves to (rows-1-i, cols-1-j). */
  public Mask rotated180() {
    boolean[] out = new boolean[masked.length];
    for (int k = 0; k < masked.length; k++) {
      out[masked.length - 1 - k] = masked[k];
    }
    return new Mask(grid, out);
  }

  /** Writes 1f/0f per patch into {@code dst} starting at {@code offset}. */
  public void writeTo(float[] dst, int offset) {
    for (int k = 0; k < masked.length; k++) {
      dst[offset + k] = masked[k] ? 1f : 0f;
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Mask m && m.grid.equals(grid) && Arrays.equals(m.masked, masked);
  }

  @Override
  public int hashCode() {
    return 31 * grid.hashCode() + Arrays.hashCode(masked);
  }

  /** Rows of 0/1 separated by spaces, as printed in METHOD.md. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < grid.rows(); i++) {
      for (int j = 0; j < grid.cols(); j++) {
        sb.append(j == 0 ? "" : " ").append(isMasked(i, j) ? '1' : '0');
      }
      sb.append('\n');
    }
    return sb.toString();
  }
}
