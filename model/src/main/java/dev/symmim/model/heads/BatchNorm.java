package dev.symmim.model.heads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.symmim.model.vit.Module;
import dev.symmim.model.vit.Parameter;
import dev.symmim.model.vit.ParameterFactory;
import dev.symmim.model.vit.StepContext;

/**
 * BatchNorm1d over {@code (N, F)} using the statistics of the current batch (training mode, as the
 * MoCo v3 heads are used only during pretraining). No running statistics are kept: the heads are
 * discarded after pretraining and embeddings come from the encoder.
 */
public final class BatchNorm extends Module {
  private static final double EPS = 1e-5;
  private final Parameter gamma;
  private final Parameter beta;

  public BatchNorm(ParameterFactory f, int features, boolean affine) {
    gamma = affine ? register(f.constant("weight", 1f, new Shape(features))) : null;
    beta = affine ? register(f.constant("bias", 0f, new Shape(features))) : null;
  }

  public NDArray forward(StepContext ctx, NDArray x) {
    NDArray centered = x.sub(x.mean(new int[] {0}, true));
    NDArray variance = centered.square().mean(new int[] {0}, true);
    NDArray y = centered.div(variance.add(ctx.scalar(EPS)).sqrt());
    if (gamma != null) {
      y = y.mul(ctx.weight(gamma)).add(ctx.weight(beta));
    }
    return y;
  }
}
