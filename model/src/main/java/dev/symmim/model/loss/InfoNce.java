package dev.symmim.model.loss;

import ai.djl.ndarray.NDArray;
import dev.symmim.model.vit.StepContext;

/**
 * MoCo v3 contrastive loss {@code 2 * tau * CE(normalize(q) normalize(k)^T / tau, diagonal)}:
 * the positives of row i are column i, the other images of the batch are negatives.
 */
public final class InfoNce {
  private InfoNce() {}

  /** @param q {@code (N, E)} online predictions, @param k {@code (N, E)} momentum targets (no grad). */
  public static NDArray loss(StepContext ctx, NDArray q, NDArray k, double tau) {
    long n = q.getShape().get(0);
    NDArray logits = l2Normalize(ctx, q).matMul(l2Normalize(ctx, k).transpose()).mul(ctx.scalar(1.0 / tau));
    NDArray diagonal = ctx.manager().eye((int) n);
    return logits.logSoftmax(1).mul(diagonal).sum().mul(ctx.scalar(-2.0 * tau / n));
  }

  /** Row-wise L2 normalization with an epsilon (a zero row would give NaN gradients otherwise). */
  static NDArray l2Normalize(StepContext ctx, NDArray x) {
    return x.div(x.square().sum(new int[] {1}, true).add(ctx.scalar(1e-12)).sqrt());
  }
}
