package dev.symmim.model.vit;

import ai.djl.ndarray.NDArray;

/** Cutting images into flattened patches, the inverse layout of a stride-p convolution input. */
public final class Patches {
  private Patches() {}

  /** {@code (N, H, W, C)} -> {@code (N, L, p*p*C)}, patches row-major, pixels (row, col, channel) within. */
  public static NDArray patchify(NDArray images, int p) {
    long n = images.getShape().get(0);
    long h = images.getShape().get(1) / p;
    long w = images.getShape().get(2) / p;
    long c = images.getShape().get(3);
    return images.reshape(n, h, p, w, p, c).transpose(0, 1, 3, 2, 4, 5).reshape(n, h * w, (long) p * p * c);
  }
}
