package dev.symmim.model.vit;

/**
 * Resizes a learned position table to another patch grid as timm's {@code resample_abs_pos_embed}
 * does: the table seen as a {@code D}-channel image of the grid, resized with
 * {@code F.interpolate(mode="bicubic", antialias=True, align_corners=False)} (PyTorch's separable
 * anti-aliased bicubic: Keys' cubic with a = -0.5, the support widened by the scale when shrinking,
 * weights normalised per output pixel; width first, then height).
 */
public final class PositionResampling {
  private PositionResampling() {}

  /**
   * @param table {@code fromRows * fromCols * dim} values, row-major patches
   * @return {@code toRows * toCols * dim} values
   */
  public static float[] bicubic(float[] table, int dim, int fromRows, int fromCols, int toRows, int toCols) {
    if (table.length != (long) fromRows * fromCols * dim) {
      throw new IllegalArgumentException("position table holds " + table.length + " values, not " + fromRows + "x"
          + fromCols + "x" + dim);
    }
    float[] wide = fromCols == toCols ? table : resizeAxis(table, fromRows, fromCols, dim, toCols, false);
    return fromRows == toRows ? wide : resizeAxis(wide, fromRows, toCols, dim, toRows, true);
  }

  /** Resizes the column axis ({@code rowsAxis} false) or the row axis of a {@code rows x cols x dim} table. */
  private static float[] resizeAxis(float[] in, int rows, int cols, int dim, int to, boolean rowsAxis) {
    int from = rowsAxis ? rows : cols;
    Weights w = Weights.of(from, to);
    int outRows = rowsAxis ? to : rows;
    int outCols = rowsAxis ? cols : to;
    float[] out = new float[outRows * outCols * dim];
    for (int i = 0; i < outRows; i++) {
      for (int j = 0; j < outCols; j++) {
        int o = rowsAxis ? i : j;
        for (int c = 0; c < dim; c++) {
          double sum = 0;
          for (int k = 0; k < w.size[o]; k++) {
            int src = w.min[o] + k;
            int idx = rowsAxis ? (src * cols + j) * dim + c : (i * cols + src) * dim + c;
            sum += w.weight[o][k] * in[idx];
          }
          out[(i * outCols + j) * dim + c] = (float) sum;
        }
      }
    }
    return out;
  }

  /** Per output index: the first input index, how many inputs, their normalised weights. */
  private record Weights(int[] min, int[] size, double[][] weight) {
    static Weights of(int in, int out) {
      double scale = in / (double) out;
      double support = 2.0 * Math.max(scale, 1.0);
      double invScale = scale >= 1.0 ? 1.0 / scale : 1.0;
      int[] min = new int[out];
      int[] size = new int[out];
      double[][] weight = new double[out][];
      for (int i = 0; i < out; i++) {
        double center = scale * (i + 0.5);
        min[i] = Math.max((int) (center - support + 0.5), 0);
        size[i] = Math.min((int) (center + support + 0.5), in) - min[i];
        weight[i] = new double[size[i]];
        double total = 0;
        for (int k = 0; k < size[i]; k++) {
          weight[i][k] = cubic((k + min[i] - center + 0.5) * invScale);
          total += weight[i][k];
        }
        if (total != 0) {
          for (int k = 0; k < size[i]; k++) {
            weight[i][k] /= total;
          }
        }
      }
      return new Weights(min, size, weight);
    }
  }

  /** Keys' cubic convolution kernel with a = -0.5 (PyTorch's anti-aliased bicubic filter). */
  static double cubic(double x) {
    double a = -0.5;
    x = Math.abs(x);
    if (x < 1) {
      return ((a + 2) * x - (a + 3)) * x * x + 1;
    }
    if (x < 2) {
      return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
    }
    return 0;
  }
}
