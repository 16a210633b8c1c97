package dev.symmim.model.vit;

import dev.symmim.model.masking.PatchGrid;

/** Fixed 2-D sin-cos position embedding, as MAE's {@code get_2d_sincos_pos_embed} (no CLS row). */
public final class PositionEmbedding {
  private PositionEmbedding() {}

  /**
   * Row-major {@code [L, dim]} values: the first half of the channels encodes the column j, the
   * second half the row i, each as {@code [sin(pos * w), cos(pos * w)]} with
   * {@code w_k = 10000^(-k / (dim/4))}.
   */
  public static float[] sinCos2d(int dim, PatchGrid grid) {
    if (dim % 4 != 0) {
      throw new IllegalArgumentException("sin-cos position embedding needs dim divisible by 4, got " + dim);
    }
    int quarter = dim / 4;
    float[] out = new float[grid.size() * dim];
    for (int i = 0; i < grid.rows(); i++) {
      for (int j = 0; j < grid.cols(); j++) {
        int base = grid.index(i, j) * dim;
        encode1d(out, base, quarter, j);
        encode1d(out, base + dim / 2, quarter, i);
      }
    }
    return out;
  }

  private static void encode1d(float[] out, int offset, int quarter, int pos) {
    for (int k = 0; k < quarter; k++) {
      double omega = 1.0 / Math.pow(10000.0, k / (double) quarter);
      out[offset + k] = (float) Math.sin(pos * omega);
      out[offset + quarter + k] = (float) Math.cos(pos * omega);
    }
  }
}
