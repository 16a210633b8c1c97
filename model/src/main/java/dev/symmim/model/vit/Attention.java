package dev.symmim.model.vit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/** Multi-head self-attention: one qkv projection, softmax(q k^T / sqrt(d)) v, output projection. */
public final class Attention extends Module {
  private final int heads;
  private final double scale;
  private final Linear qkv;
  private final Linear proj;

  public Attention(ParameterFactory f, int dim, int heads) {
    this.heads = heads;
    this.scale = 1.0 / Math.sqrt(dim / (double) heads);
    qkv = register(new Linear(f.scope("qkv"), dim, 3 * dim, true));
    proj = register(new Linear(f.scope("proj"), dim, dim, true));
  }

  /** {@code x}: (N, T, D) -> (N, T, D). */
  public NDArray forward(StepContext ctx, NDArray x) {
    long n = x.getShape().get(0);
    long t = x.getShape().get(1);
    long d = x.getShape().get(2);
    // (N, T, 3D) -> (3, N, H, T, D/H)
    NDArray qkvHeads = qkv.forward(ctx, x).reshape(n, t, 3, heads, d / heads).transpose(2, 0, 3, 1, 4);
    NDList parts = qkvHeads.split(3, 0);
    NDArray q = parts.get(0).squeeze(0).mul(ctx.scalar(scale));
    NDArray k = parts.get(1).squeeze(0);
    NDArray v = parts.get(2).squeeze(0);
    NDArray attn = q.matMul(k.transpose(0, 1, 3, 2)).softmax(-1);
    NDArray y = attn.matMul(v).transpose(0, 2, 1, 3).reshape(n, t, d);
    return proj.forward(ctx, y);
  }
}
