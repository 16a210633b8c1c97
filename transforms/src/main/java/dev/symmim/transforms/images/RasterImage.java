package dev.symmim.transforms.images;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * A uint8 image: {@code height x width x channels}, row-major, channels interleaved (grey or RGB).
 * The pixel array is owned by the image; callers must not modify it.
 */
public record RasterImage(int height, int width, int channels, byte[] pixels) {
  public RasterImage {
    checkArgument(height > 0 && width > 0, "image dimensions must be positive, got %sx%s", width, height);
    checkArgument(channels == 1 || channels == 3, "channels must be 1 or 3, got %s", channels);
    checkArgument(
        pixels.length == (long) height * width * channels,
        "pixel array holds %s bytes, expected %s for %sx%sx%s",
        pixels.length, (long) height * width * channels, height, width, channels);
  }

  /** This image with {@code target} channels: grey is replicated to RGB, RGB becomes ITU-R 601 luma. */
  public RasterImage withChannels(int target) {
    checkArgument(target == 1 || target == 3, "channels must be 1 or 3, got %s", target);
    if (target == channels) {
      return this;
    }
    int n = height * width;
    byte[] out = new byte[n * target];
    if (target == 3) {
      for (int i = 0; i < n; i++) {
        byte v = pixels[i];
        out[3 * i] = v;
        out[3 * i + 1] = v;
        out[3 * i + 2] = v;
      }
    } else {
      for (int i = 0; i < n; i++) {
        int r = pixels[3 * i] & 0xff;
        int g = pixels[3 * i + 1] & 0xff;
        int b = pixels[3 * i + 2] & 0xff;
        // PIL's "L" conversion: L = R * 299/1000 + G * 587/1000 + B * 114/1000, rounded.
        out[i] = (byte) ((r * 299 + g * 587 + b * 114 + 500) / 1000);
      }
    }
    return new RasterImage(height, width, target, out);
  }
}
