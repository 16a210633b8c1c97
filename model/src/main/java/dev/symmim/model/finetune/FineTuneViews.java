package dev.symmim.model.finetune;

import dev.symmim.model.augment.CropAndFlip;
import dev.symmim.model.augment.FloatImage;
import dev.symmim.model.random.SeededRandom;

/**
 * The fine-tuning training view, RandomResizedCrop(minScale-1) + optional horizontal flip
 * ({@link CropAndFlip}, SymMIM's view 1 with the fine-tune config's scale), and the evaluation
 * view (the whole image resized to the model size). Sample {@code b} of a batch draws from
 * {@code SeededRandom.forSample(seed, epoch, indices[b])}, so the views depend only on
 * (seed, epoch, image index): not on threads, batch composition or restarts. Immutable, thread-safe.
 */
public final class FineTuneViews {
  private final int size;
  private final CropAndFlip train;

  public FineTuneViews(int size, FineTuneConfig.Augmentation augmentation) {
    this.size = size;
    this.train = new CropAndFlip(size, augmentation.minScale(), augmentation.flip());
  }

  public static FineTuneViews of(FineTuneConfig config) {
    return new FineTuneViews(config.encoder().imageSize(), config.augmentation());
  }

  public int size() {
    return size;
  }

  /** One training view, {@code size x size x C} floats in [0, 1]. */
  public float[] train(FloatImage img, SeededRandom rng) {
    return train.apply(img, rng);
  }

  /** The evaluation view: the whole image, resized (bilinear) to {@code size x size} if needed. */
  public float[] eval(FloatImage img) {
    return img.resized(size).data();
  }

  /** Training views of {@code images[indices[b]]} as one {@code N x size x size x C} array. */
  public float[] trainBatch(FloatImage[] images, int[] indices, long seed, long epoch) {
    float[] out = null;
    int per = 0;
    for (int b = 0; b < indices.length; b++) {
      FloatImage img = images[indices[b]];
      float[] view = train(img, SeededRandom.forSample(seed, epoch, indices[b]));
      if (out == null) {
        per = view.length;
        out = new float[indices.length * per];
      }
      System.arraycopy(view, 0, out, b * per, per);
    }
    return out == null ? new float[0] : out;
  }

  /** Evaluation views of {@code images[from, to)} as one {@code N x size x size x C} array. */
  public float[] evalBatch(FloatImage[] images, int from, int to) {
    int per = size * size * images[from].channels();
    float[] out = new float[(to - from) * per];
    for (int i = from; i < to; i++) {
      System.arraycopy(eval(images[i]), 0, out, (i - from) * per, per);
    }
    return out;
  }
}
