package dev.symmim.model.augment;

/** An image as {@code height x width x channels} floats in [0, 1], channels interleaved (HWC). */
public record FloatImage(int height, int width, int channels, float[] data) {
  public FloatImage {
    if (height <= 0 || width <= 0 || (channels != 1 && channels != 3)) {
      throw new IllegalArgumentException("bad image dims " + height + "x" + width + "x" + channels);
    }
    if (data.length != height * width * channels) {
      throw new IllegalArgumentException(
          "image " + height + "x" + width + "x" + channels + " needs " + height * width * channels + " values, got "
              + data.length);
    }
  }

  /** From uint8 HWC pixels (as stored in {@code Example.pixels}) to [0, 1]. */
  public static FloatImage fromUint8(byte[] pixels, int height, int width, int channels) {
    float[] data = new float[pixels.length];
    for (int i = 0; i < pixels.length; i++) {
      data[i] = (pixels[i] & 0xFF) / 255f;
    }
    return new FloatImage(height, width, channels, data);
  }

  /** The whole image resized (bilinear, align_corners = false) to {@code size x size}; this if already that size. */
  public FloatImage resized(int size) {
    if (height == size && width == size) {
      return this;
    }
    return new FloatImage(size, size, channels, ImageOps.resizedCrop(this, 0, 0, height, width, size));
  }

  public float get(int y, int x, int c) {
    return data[(y * width + x) * channels + c];
  }
}
