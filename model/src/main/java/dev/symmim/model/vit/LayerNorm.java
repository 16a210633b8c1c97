package dev.symmim.model.vit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** LayerNorm over the last axis with learnable scale and shift (eps 1e-6, as in ViT/MAE). */
public final class LayerNorm extends Module {
  private static final float EPS = 1e-6f;
  private final int dim;
  private final Parameter gamma;
  private final Parameter beta;

  public LayerNorm(ParameterFactory f, int dim) {
    this.dim = dim;
    this.gamma = register(f.constant("weight", 1f, new Shape(dim)));
    this.beta = register(f.constant("bias", 0f, new Shape(dim)));
  }

  public NDArray forward(StepContext ctx, NDArray x) {
    return x.getNDArrayInternal()
        .layerNorm(x, new Shape(dim), ctx.weight(gamma), ctx.weight(beta), EPS)
        .singletonOrThrow();
  }
}
