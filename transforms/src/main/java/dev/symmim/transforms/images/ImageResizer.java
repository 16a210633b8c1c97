package dev.symmim.transforms.images;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Resizes so that the shorter side equals {@code size}, then crops the center square. Resampling is
 * separable with a triangle (bilinear) kernel widened by the scale factor when shrinking, as PIL's
 * antialiased bilinear filter does, so downscaling averages instead of aliasing. Only the cropped
 * output pixels are computed. Not thread-safe (it caches kernels): one per thread.
 */
public final class ImageResizer {
  private final int size;
  // Kernels depend only on the input shape: cache the last one (datasets are mostly one shape).
  private int cachedH = -1;
  private int cachedW = -1;
  private Kernel cachedRows;
  private Kernel cachedCols;

  public ImageResizer(int size) {
    checkArgument(size > 0, "size must be > 0, got %s", size);
    this.size = size;
  }

  public RasterImage resizeAndCrop(RasterImage in) {
    int h = in.height();
    int w = in.width();
    if (h == size && w == size) {
      return in;
    }
    // Scale so the shorter side becomes `size`; the longer side becomes round(long * scale). In
    // longs: a 1 x 64M-pixel image scaled to 32 px is 2^31 pixels long, past an int.
    double scale = (double) size / Math.min(h, w);
    long scaledH = h <= w ? size : Math.round(h * scale);
    long scaledW = w < h ? size : Math.round(w * scale);
    long offY = (scaledH - size) / 2;
    long offX = (scaledW - size) / 2;
    if (h != cachedH || w != cachedW) {
      cachedRows = Kernel.of(h, scaledH, offY, size);
      cachedCols = Kernel.of(w, scaledW, offX, size);
      cachedH = h;
      cachedW = w;
    }
    Kernel rows = cachedRows;
    Kernel cols = cachedCols;
    int c = in.channels();
    byte[] src = in.pixels();

    // Horizontal pass on the source rows the vertical pass needs: h x size x c floats.
    int rowFrom = rows.minSource();
    int rowTo = rows.maxSource();
    float[] tmp = new float[(rowTo - rowFrom + 1) * size * c];
    for (int y = rowFrom; y <= rowTo; y++) {
      int srcRow = y * w * c;
      int dstRow = (y - rowFrom) * size * c;
      for (int x = 0; x < size; x++) {
        int start = cols.start[x];
        int end = cols.start[x] + cols.count[x];
        int wi = cols.weightOffset[x];
        for (int ch = 0; ch < c; ch++) {
          float acc = 0f;
          int k = wi;
          for (int sx = start; sx < end; sx++) {
            acc += cols.weights[k++] * (src[srcRow + sx * c + ch] & 0xff);
          }
          tmp[dstRow + x * c + ch] = acc;
        }
      }
    }
    // Vertical pass.
    byte[] out = new byte[size * size * c];
    int rowLen = size * c;
    for (int y = 0; y < size; y++) {
      int start = rows.start[y];
      int end = start + rows.count[y];
      int wi = rows.weightOffset[y];
      int dst = y * rowLen;
      for (int i = 0; i < rowLen; i++) {
        float acc = 0f;
        int k = wi;
        for (int sy = start; sy < end; sy++) {
          acc += rows.weights[k++] * tmp[(sy - rowFrom) * rowLen + i];
        }
        int v = Math.round(acc);
        out[dst + i] = (byte) (v < 0 ? 0 : (v > 255 ? 255 : v));
      }
    }
    return new RasterImage(size, size, c, out);
  }

  /** Per-output-pixel source ranges and normalized weights along one axis. */
  private static final class Kernel {
    final int[] start;
    final int[] count;
    final int[] weightOffset;
    final float[] weights;

    private Kernel(int[] start, int[] count, int[] weightOffset, float[] weights) {
      this.start = start;
      this.count = count;
      this.weightOffset = weightOffset;
      this.weights = weights;
    }

    int minSource() {
      return start[0];
    }

    int maxSource() {
      int last = start.length - 1;
      int max = 0;
      for (int i = 0; i <= last; i++) {
        max = Math.max(max, start[i] + count[i] - 1);
      }
      return max;
    }

    /** Output pixels {@code offset .. offset+n-1} of resampling {@code in} pixels to {@code out}. */
    static Kernel of(int in, long out, long offset, int n) {
      double scale = (double) in / out;
      double support = Math.max(1.0, scale); // triangle half-width in source pixels
      int[] start = new int[n];
      int[] count = new int[n];
      int[] weightOffset = new int[n];
      float[] weights = new float[n * ((int) Math.ceil(support) * 2 + 2)];
      int used = 0;
      for (int i = 0; i < n; i++) {
        double center = (i + offset + 0.5) * scale;
        int lo = Math.max(0, (int) Math.floor(center - support));
        int hi = Math.min(in - 1, (int) Math.ceil(center + support));
        double total = 0;
        int first = -1;
        int last = -1;
        double[] w = new double[hi - lo + 1];
        for (int s = lo; s <= hi; s++) {
          double d = Math.abs((s + 0.5 - center) / support);
          double v = d < 1 ? 1 - d : 0;
          w[s - lo] = v;
          if (v > 0) {
            if (first < 0) {
              first = s;
            }
            last = s;
            total += v;
          }
        }
        if (first < 0) { // can only happen at an edge: take the nearest pixel
          first = last = Math.min(in - 1, Math.max(0, (int) center));
          w = new double[] {1};
          lo = first;
          total = 1;
        }
        start[i] = first;
        count[i] = last - first + 1;
        weightOffset[i] = used;
        for (int s = first; s <= last; s++) {
          weights[used++] = (float) (w[s - lo] / total);
        }
      }
      return new Kernel(start, count, weightOffset, weights);
    }
  }
}
