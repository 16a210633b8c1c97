package dev.symmim.model.augment;

import dev.symmim.model.config.Augmentation;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.model.random.SeededRandom;

/**
 * The two SymMIM views of an image (METHOD.md section 3), plain Java, deterministic given the RNG.
 * View 1 (online branch, light): RandomResizedCrop(scale 0.2-1) + horizontal flip. View 2
 * (momentum branch, strong): RandomResizedCrop(0.08-1), colour jitter (0.4, 0.4, 0.2, 0.1) with
 * p 0.8 in random order, grayscale p 0.2, Gaussian blur (sigma 0.1-2) p 0.1, solarize p 0.2, flip.
 * On 1-channel images saturation, hue and grayscale are skipped (brightness and contrast remain).
 * With {@link Augmentation.View2#LIGHT} view 2 is a clean view for the teacher: view 1's recipe,
 * RandomResizedCrop(view2MinScale-1) + flip.
 * Outputs are {@code size x size x C} floats in [0, 1]; normalization happens in the trainer.
 *
 * <p>Thread-safe (immutable); each call draws only from the RNG it is given, so a loader can use
 * {@link SeededRandom#forSample(long, long, long)} per (seed, epoch, index).
 */
public final class SymMimViews {
  private final int size;
  private final double view1MinScale;
  private final double view2MinScale;
  private final CropAndFlip view1;
  private final CropAndFlip lightView2;

  /** METHOD.md's views: a light view 1 and a strong view 2. */
  public SymMimViews(int size, double view1MinScale, double view2MinScale) {
    this(size, view1MinScale, view2MinScale, Augmentation.View2.STRONG);
  }

  /** View 2 strong (METHOD.md) or, with {@link Augmentation.View2#LIGHT}, crop and flip only. */
  public SymMimViews(int size, double view1MinScale, double view2MinScale, Augmentation.View2 view2Recipe) {
    if (size <= 0) {
      throw new IllegalArgumentException("output size must be positive, got " + size);
    }
    this.size = size;
    this.view1MinScale = view1MinScale;
    this.view2MinScale = view2MinScale;
    this.view1 = new CropAndFlip(size, view1MinScale, true);
    this.lightView2 = view2Recipe == Augmentation.View2.LIGHT ? new CropAndFlip(size, view2MinScale, true) : null;
  }

  public static SymMimViews of(PretrainConfig config) {
    Augmentation a = config.augmentation();
    return new SymMimViews(config.encoder().imageSize(), a.view1MinScale(), a.view2MinScale(), a.view2());
  }

  public int size() {
    return size;
  }

  /** RandomResizedCrop(view1MinScale-1) + flip, see {@link CropAndFlip}. */
  public float[] view1(FloatImage img, SeededRandom rng) {
    return view1.apply(img, rng);
  }

  /** The strong recipe of the class comment, or RandomResizedCrop(view2MinScale-1) + flip for a light view 2. */
  public float[] view2(FloatImage img, SeededRandom rng) {
    if (lightView2 != null) {
      return lightView2.apply(img, rng);
    }
    int c = img.channels();
    float[] px = CropAndFlip.randomResizedCrop(img, view2MinScale, size, rng);
    if (rng.chance(0.8)) {
      colorJitter(px, c, rng);
    }
    if (rng.chance(0.2)) {
      ImageOps.grayscale(px, c);
    }
    if (rng.chance(0.1)) {
      ImageOps.gaussianBlur(px, size, c, rng.uniform(0.1, 2.0));
    }
    if (rng.chance(0.2)) {
      ImageOps.solarize(px, 0.5f);
    }
    if (rng.chance(0.5)) {
      ImageOps.flipHorizontal(px, size, c);
    }
    return px;
  }

  /**
   * Both views of a batch of uint8 HWC images (all {@code height x width x channels}), written as
   * two {@code N x size x size x C} arrays; sample {@code b} uses
   * {@code SeededRandom.forSample(seed, epoch, indices[b])}.
   */
  public float[][] batch(byte[][] images, int height, int width, int channels, long seed, long epoch,
      long[] indices) {
    int per = size * size * channels;
    float[] v1 = new float[images.length * per];
    float[] v2 = new float[images.length * per];
    for (int b = 0; b < images.length; b++) {
      FloatImage img = FloatImage.fromUint8(images[b], height, width, channels);
      SeededRandom rng = SeededRandom.forSample(seed, epoch, indices[b]);
      System.arraycopy(view1(img, rng), 0, v1, b * per, per);
      System.arraycopy(view2(img, rng), 0, v2, b * per, per);
    }
    return new float[][] {v1, v2};
  }

  private void colorJitter(float[] px, int c, SeededRandom rng) {
    float brightness = (float) rng.uniform(0.6, 1.4);
    float contrast = (float) rng.uniform(0.6, 1.4);
    float saturation = (float) rng.uniform(0.8, 1.2);
    float hue = (float) rng.uniform(-0.1, 0.1);
    int[] order = {0, 1, 2, 3};
    for (int i = 3; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    for (int op : order) {
      switch (op) {
        case 0: ImageOps.brightness(px, brightness); break;
        case 1: ImageOps.contrast(px, c, contrast); break;
        case 2: ImageOps.saturation(px, c, saturation); break;
        default: ImageOps.hue(px, c, hue); break;
      }
    }
  }
}
