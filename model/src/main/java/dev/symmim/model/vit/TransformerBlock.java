package dev.symmim.model.vit;

import ai.djl.ndarray.NDArray;

/**
 * Pre-LN transformer block: {@code x + attn(ln1(x))}, then {@code x + mlp(ln2(x))}. Optionally
 * with stochastic depth (drop-path): each residual branch multiplied by a per-sample scale.
 */
public final class TransformerBlock extends Module {
  private final LayerNorm norm1;
  private final Attention attn;
  private final LayerNorm norm2;
  private final Mlp mlp;

  public TransformerBlock(ParameterFactory f, int dim, int heads, int hidden) {
    norm1 = register(new LayerNorm(f.scope("norm1"), dim));
    attn = register(new Attention(f.scope("attn"), dim, heads));
    norm2 = register(new LayerNorm(f.scope("norm2"), dim));
    mlp = register(new Mlp(f.scope("mlp"), dim, hidden));
  }

  public NDArray forward(StepContext ctx, NDArray x) {
    return forward(ctx, x, null, null);
  }

  /**
   * As {@link #forward(StepContext, NDArray)} with drop-path: {@code attnScale} and {@code mlpScale}
   * are {@code (N, 1, 1)} per-sample multipliers of the attention and MLP branches (0 for a dropped
   * sample, {@code 1 / keep} otherwise, as timm's {@code DropPath}), arrays of the step; null means
   * no drop-path on that branch (and no extra op).
   */
  public NDArray forward(StepContext ctx, NDArray x, NDArray attnScale, NDArray mlpScale) {
    x = x.add(scaled(attn.forward(ctx, norm1.forward(ctx, x)), attnScale));
    return x.add(scaled(mlp.forward(ctx, norm2.forward(ctx, x)), mlpScale));
  }

  private static NDArray scaled(NDArray branch, NDArray scale) {
    return scale == null ? branch : branch.mul(scale);
  }
}
