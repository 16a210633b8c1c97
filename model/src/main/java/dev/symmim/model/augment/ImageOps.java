package dev.symmim.model.augment;

/**
 * The pixel operations behind the augmentations (torchvision semantics), in place on HWC floats
 * in [0, 1]. Colour-only operations are no-ops on 1-channel images.
 */
final class ImageOps {
  private static final float[] LUMA = {0.299f, 0.587f, 0.114f};

  private ImageOps() {}

  /** Bilinear resize (align_corners = false) of the crop {@code (top, left, h, w)} to {@code size x size}. */
  static float[] resizedCrop(FloatImage img, int top, int left, int h, int w, int size) {
    int c = img.channels();
    float[] out = new float[size * size * c];
    double sy = h / (double) size;
    double sx = w / (double) size;
    for (int y = 0; y < size; y++) {
      double fy = Math.max(0, Math.min(h - 1, (y + 0.5) * sy - 0.5));
      int y0 = (int) fy;
      int y1 = Math.min(y0 + 1, h - 1);
      float wy = (float) (fy - y0);
      for (int x = 0; x < size; x++) {
        double fx = Math.max(0, Math.min(w - 1, (x + 0.5) * sx - 0.5));
        int x0 = (int) fx;
        int x1 = Math.min(x0 + 1, w - 1);
        float wx = (float) (fx - x0);
        for (int ch = 0; ch < c; ch++) {
          float a = img.get(top + y0, left + x0, ch);
          float b = img.get(top + y0, left + x1, ch);
          float d = img.get(top + y1, left + x0, ch);
          float e = img.get(top + y1, left + x1, ch);
          out[(y * size + x) * c + ch] = (a * (1 - wx) + b * wx) * (1 - wy) + (d * (1 - wx) + e * wx) * wy;
        }
      }
    }
    return out;
  }

  static void flipHorizontal(float[] px, int size, int c) {
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size / 2; x++) {
        for (int ch = 0; ch < c; ch++) {
          int a = (y * size + x) * c + ch;
          int b = (y * size + size - 1 - x) * c + ch;
          float t = px[a];
          px[a] = px[b];
          px[b] = t;
        }
      }
    }
  }

  static void brightness(float[] px, float factor) {
    for (int i = 0; i < px.length; i++) {
      px[i] = clamp(px[i] * factor);
    }
  }

  /** Blend with the mean grey level of the whole image. */
  static void contrast(float[] px, int c, float factor) {
    double sum = 0;
    for (int i = 0; i < px.length; i += c) {
      sum += luma(px, i, c);
    }
    float mean = (float) (sum / (px.length / c));
    for (int i = 0; i < px.length; i++) {
      px[i] = clamp(mean + factor * (px[i] - mean));
    }
  }

  /** Blend with the per-pixel grey level (RGB only). */
  static void saturation(float[] px, int c, float factor) {
    if (c != 3) {
      return;
    }
    for (int i = 0; i < px.length; i += 3) {
      float g = luma(px, i, 3);
      for (int ch = 0; ch < 3; ch++) {
        px[i + ch] = clamp(g + factor * (px[i + ch] - g));
      }
    }
  }

  /** Rotates the hue by {@code shift} turns (RGB only). */
  static void hue(float[] px, int c, float shift) {
    if (c != 3) {
      return;
    }
    float[] hsv = new float[3];
    for (int i = 0; i < px.length; i += 3) {
      rgbToHsv(px[i], px[i + 1], px[i + 2], hsv);
      float h = hsv[0] + shift;
      hsv[0] = h - (float) Math.floor(h);
      hsvToRgb(hsv, px, i);
    }
  }

  static void grayscale(float[] px, int c) {
    if (c != 3) {
      return;
    }
    for (int i = 0; i < px.length; i += 3) {
      float g = luma(px, i, 3);
      px[i] = g;
      px[i + 1] = g;
      px[i + 2] = g;
    }
  }

  static void solarize(float[] px, float threshold) {
    for (int i = 0; i < px.length; i++) {
      if (px[i] >= threshold) {
        px[i] = 1f - px[i];
      }
    }
  }

  /** Separable Gaussian blur, kernel radius ceil(3 sigma), reflected borders. */
  static void gaussianBlur(float[] px, int size, int c, double sigma) {
    int r = Math.max(1, (int) Math.ceil(3 * sigma));
    float[] k = new float[2 * r + 1];
    float sum = 0;
    for (int i = -r; i <= r; i++) {
      k[i + r] = (float) Math.exp(-i * i / (2 * sigma * sigma));
      sum += k[i + r];
    }
    for (int i = 0; i < k.length; i++) {
      k[i] /= sum;
    }
    float[] tmp = new float[px.length];
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        for (int ch = 0; ch < c; ch++) {
          float acc = 0;
          for (int i = -r; i <= r; i++) {
            acc += k[i + r] * px[(y * size + reflect(x + i, size)) * c + ch];
          }
          tmp[(y * size + x) * c + ch] = acc;
        }
      }
    }
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        for (int ch = 0; ch < c; ch++) {
          float acc = 0;
          for (int i = -r; i <= r; i++) {
            acc += k[i + r] * tmp[(reflect(y + i, size) * size + x) * c + ch];
          }
          px[(y * size + x) * c + ch] = acc;
        }
      }
    }
  }

  private static int reflect(int i, int n) {
    if (n == 1) {
      return 0;
    }
    int period = 2 * (n - 1);
    int m = Math.floorMod(i, period);
    return m < n ? m : period - m;
  }

  private static float luma(float[] px, int i, int c) {
    return c == 1 ? px[i] : LUMA[0] * px[i] + LUMA[1] * px[i + 1] + LUMA[2] * px[i + 2];
  }

  private static float clamp(float v) {
    return v < 0 ? 0 : (v > 1 ? 1 : v);
  }

  private static void rgbToHsv(float r, float g, float b, float[] hsv) {
    float max = Math.max(r, Math.max(g, b));
    float min = Math.min(r, Math.min(g, b));
    float d = max - min;
    float h;
    if (d == 0) {
      h = 0;
    } else if (max == r) {
      h = ((g - b) / d) / 6f;
    } else if (max == g) {
      h = ((b - r) / d + 2) / 6f;
    } else {
      h = ((r - g) / d + 4) / 6f;
    }
    hsv[0] = h - (float) Math.floor(h);
    hsv[1] = max == 0 ? 0 : d / max;
    hsv[2] = max;
  }

  private static void hsvToRgb(float[] hsv, float[] out, int i) {
    float h = hsv[0] * 6f;
    float s = hsv[1];
    float v = hsv[2];
    int sector = Math.min(5, (int) Math.floor(h));
    float f = h - sector;
    float p = v * (1 - s);
    float q = v * (1 - s * f);
    float t = v * (1 - s * (1 - f));
    float r;
    float g;
    float b;
    switch (sector) {
      case 0: r = v; g = t; b = p; break;
      case 1: r = q; g = v; b = p; break;
      case 2: r = p; g = v; b = t; break;
      case 3: r = p; g = q; b = v; break;
      case 4: r = t; g = p; b = v; break;
      default: r = v; g = p; b = q; break;
    }
    out[i] = r;
    out[i + 1] = g;
    out[i + 2] = b;
  }
}
