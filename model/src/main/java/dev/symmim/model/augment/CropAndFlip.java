package dev.symmim.model.augment;

import dev.symmim.model.random.SeededRandom;

/**
 * RandomResizedCrop (torchvision's parameters: scale {@code minScale}-1, aspect ratio 3/4-4/3, 10
 * tries, centre-crop fallback; bilinear resize to {@code size x size}) followed by an optional
 * horizontal flip with probability 0.5. This is SymMIM's view 1 and the fine-tuning augmentation.
 * Deterministic given the RNG; immutable and thread-safe.
 */
public final class CropAndFlip {
  private static final double LOG_RATIO_MIN = Math.log(3.0 / 4.0);
  private static final double LOG_RATIO_MAX = Math.log(4.0 / 3.0);

  private final int size;
  private final double minScale;
  private final boolean flip;

  public CropAndFlip(int size, double minScale, boolean flip) {
    if (size <= 0) {
      throw new IllegalArgumentException("output size must be positive, got " + size);
    }
    if (!(minScale > 0 && minScale <= 1)) {
      throw new IllegalArgumentException("minScale must be in (0, 1], got " + minScale);
    }
    this.size = size;
    this.minScale = minScale;
    this.flip = flip;
  }

  /** {@code size x size x C} floats; draws the crop, then (if flipping is on) one coin for the flip. */
  public float[] apply(FloatImage img, SeededRandom rng) {
    float[] px = randomResizedCrop(img, minScale, size, rng);
    if (flip && rng.chance(0.5)) {
      ImageOps.flipHorizontal(px, size, img.channels());
    }
    return px;
  }

  /** torchvision's RandomResizedCrop.get_params (ratio 3/4-4/3, 10 tries, centre-crop fallback), then a bilinear resize. */
  static float[] randomResizedCrop(FloatImage img, double minScale, int size, SeededRandom rng) {
    int h = img.height();
    int w = img.width();
    double area = (double) h * w;
    for (int attempt = 0; attempt < 10; attempt++) {
      double target = area * rng.uniform(minScale, 1.0);
      double aspect = Math.exp(rng.uniform(LOG_RATIO_MIN, LOG_RATIO_MAX));
      int cw = (int) Math.round(Math.sqrt(target * aspect));
      int ch = (int) Math.round(Math.sqrt(target / aspect));
      if (cw > 0 && ch > 0 && cw <= w && ch <= h) {
        int top = rng.nextInt(h - ch + 1);
        int left = rng.nextInt(w - cw + 1);
        return ImageOps.resizedCrop(img, top, left, ch, cw, size);
      }
    }
    double ratio = w / (double) h;
    int cw = w;
    int ch = h;
    if (ratio < 3.0 / 4.0) {
      ch = (int) Math.round(w / (3.0 / 4.0));
    } else if (ratio > 4.0 / 3.0) {
      cw = (int) Math.round(h * (4.0 / 3.0));
    }
    return ImageOps.resizedCrop(img, (h - ch) / 2, (w - cw) / 2, ch, cw, size);
  }
}
