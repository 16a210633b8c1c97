package dev.symmim.model.vit;

import dev.symmim.model.masking.PatchGrid;

/**
 * Shape of a ViT encoder: image (size, channels, patch) and transformer (dim, depth, heads, MLP ratio).
 * Presets follow timm/DeiT: tiny (192, 12, 3), small (384, 12, 6), base (768, 12, 12), large (1024, 24, 16).
 */
public record VitSpec(int imageSize, int patchSize, int channels, int dim, int depth, int heads, int mlpRatio) {
  public VitSpec {
    check(imageSize > 0 && patchSize > 0 && imageSize % patchSize == 0,
        "imageSize " + imageSize + " must be a positive multiple of patchSize " + patchSize);
    check(channels == 1 || channels == 3, "channels must be 1 or 3, got " + channels);
    check(dim > 0 && depth > 0 && heads > 0 && mlpRatio > 0, "dims must be positive: " + dim + "/" + depth + "/" + heads);
    check(dim % heads == 0, "dim " + dim + " must be divisible by heads " + heads);
  }

  /** Named encoder sizes. */
  public enum Size {
    TINY(192, 12, 3), SMALL(384, 12, 6), BASE(768, 12, 12), LARGE(1024, 24, 16);

    final int dim;
    final int depth;
    final int heads;

    Size(int dim, int depth, int heads) {
      this.dim = dim;
      this.depth = depth;
      this.heads = heads;
    }

    public VitSpec spec(int imageSize, int patchSize, int channels) {
      return new VitSpec(imageSize, patchSize, channels, dim, depth, heads, 4);
    }
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  public PatchGrid grid() {
    return PatchGrid.of(imageSize, imageSize, patchSize);
  }

  /** Patches per image. */
  public int numPatches() {
    return grid().size();
  }

  /** Pixels values per patch, {@code p * p * C}: the patch-embed input and reconstruction output width. */
  public int patchPixels() {
    return patchSize * patchSize * channels;
  }

  public int hidden() {
    return dim * mlpRatio;
  }

  /**
   * Learnable parameters of the encoder: patch embed, CLS and mask tokens, blocks, final norm.
   * The sin-cos position embedding is fixed, so not counted.
   */
  public long parameterCount() {
    long d = dim;
    long patchEmbed = (long) patchPixels() * d + d;
    long tokens = 2 * d;
    long block = 2 * (2 * d) + (3 * d * d + 3 * d) + (d * d + d) + (d * hidden() + hidden()) + (hidden() * d + d);
    return patchEmbed + tokens + depth * block + 2 * d;
  }

  /** Multiply-add FLOPs (2 per MAC) of one encoder forward pass of one image, matmuls only. */
  public double forwardFlops() {
    double t = numPatches() + 1;
    double d = dim;
    double perBlock = 2 * t * (3 * d * d + d * d + 2 * d * hidden()) + 2 * 2 * t * t * d;
    return 2.0 * numPatches() * patchPixels() * d + depth * perBlock;
  }
}
