package dev.symmim.model.loss;

import ai.djl.ndarray.NDArray;
import dev.symmim.model.vit.StepContext;

/** The reconstruction objective on the masked patches of the online view. */
public enum ReconstructionLoss {
  /** SimMIM: mean absolute error over the (per-channel normalized) pixels of masked patches. */
  L1,
  /** MAE: mean squared error against per-patch normalized pixels, averaged over masked patches. */
  NORM_PIX_MSE;

  /**
   * @param prediction {@code (N, L, P)} fp32 head output
   * @param target {@code (N, L, P)} fp32 normalized pixels of the same view
   * @param mask {@code (N, L, 1)} 1 = masked
   * @param maskedCount number of ones in {@code mask} (known on the host, so no sync is needed)
   * @return a scalar loss
   */
  public NDArray compute(StepContext ctx, NDArray prediction, NDArray target, NDArray mask, int maskedCount) {
    long p = prediction.getShape().get(2);
    if (maskedCount == 0) {
      return prediction.sum().mul(ctx.scalar(0));
    }
    if (this == L1) {
      NDArray perPixel = prediction.sub(target).abs().mul(mask);
      return perPixel.sum().mul(ctx.scalar(1.0 / ((double) maskedCount * p)));
    }
    NDArray mean = target.mean(new int[] {2}, true);
    NDArray centered = target.sub(mean);
    NDArray variance = centered.square().sum(new int[] {2}, true).mul(ctx.scalar(1.0 / (p - 1)));
    NDArray normalized = centered.div(variance.add(ctx.scalar(1e-6)).sqrt());
    NDArray perPatch = prediction.sub(normalized).square().mean(new int[] {2}, true).mul(mask);
    return perPatch.sum().mul(ctx.scalar(1.0 / maskedCount));
  }
}
