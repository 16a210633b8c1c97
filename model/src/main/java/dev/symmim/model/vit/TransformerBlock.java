package dev.symmim.model.vit;

import ai.djl.ndarray.NDArray;

/** Pre-LN transformer block: {@code x + attn(ln1(x))}, then {@code x + mlp(ln2(x))}. */
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
    x = x.add(attn.forward(ctx, norm1.forward(ctx, x)));
    return x.add(mlp.forward(ctx, norm2.forward(ctx, x)));
  }
}
