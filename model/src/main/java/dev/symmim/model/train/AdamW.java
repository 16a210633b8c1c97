package dev.symmim.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.symmim.model.vit.ParameterBuffer;
import dev.symmim.model.vit.StepContext;

/**
 * AdamW as {@code torch.optim.AdamW} (decoupled decay, bias-corrected moments), fused over a
 * {@link ParameterBuffer}: one update is about ten ops whatever the number of parameters. The
 * moments are flat arrays in their own manager, exposed for checkpoints (DJL cannot save
 * optimizer state). Parameters with {@code decay() == false} (biases, norms, tokens) get no
 * weight decay.
 */
public final class AdamW {
  private final ParameterBuffer parameters;
  private final NDArray decayMask;
  private final NDArray firstMoment;
  private final NDArray secondMoment;
  private final double beta1;
  private final double beta2;
  private final double epsilon;
  private final double weightDecay;
  private long updates;

  public AdamW(ParameterBuffer parameters, NDManager stateManager, double beta1, double beta2, double epsilon,
      double weightDecay) {
    this.parameters = parameters;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.weightDecay = weightDecay;
    this.decayMask = parameters.decayMask(stateManager);
    this.firstMoment = stateManager.zeros(new Shape(parameters.size()));
    this.secondMoment = stateManager.zeros(new Shape(parameters.size()));
  }

  /**
   * One update with learning rate {@code lr} from the flat {@code gradients} (see
   * {@link ParameterBuffer#gradients}), first multiplied by {@code gradScale} (gradient clipping).
   * Must run outside the gradient tape.
   */
  public void update(StepContext ctx, NDArray gradients, double lr, double gradScale) {
    updates++;
    double correction1 = 1 - Math.pow(beta1, updates);
    double correction2 = 1 - Math.pow(beta2, updates);
    NDArray g = gradScale == 1.0 ? gradients : gradients.mul(ctx.scalar(gradScale));
    NDArray w = parameters.flat();
    if (weightDecay != 0) {
      w.muli(ctx.scalar(-lr * weightDecay).mul(decayMask).add(ctx.scalar(1)));
    }
    firstMoment.muli(ctx.scalar(beta1)).addi(g.mul(ctx.scalar(1 - beta1)));
    secondMoment.muli(ctx.scalar(beta2)).addi(g.square().mul(ctx.scalar(1 - beta2)));
    NDArray denominator =
        ctx.own(secondMoment.sqrt()).mul(ctx.scalar(1 / Math.sqrt(correction2))).add(ctx.scalar(epsilon));
    w.subi(ctx.own(firstMoment.div(denominator)).mul(ctx.scalar(lr / correction1)));
  }

  /** Flat first moments, aligned with {@link ParameterBuffer#flat()}. */
  public NDArray firstMoment() {
    return firstMoment;
  }

  /** Flat second moments, aligned with {@link ParameterBuffer#flat()}. */
  public NDArray secondMoment() {
    return secondMoment;
  }

  /** Number of updates applied so far (the bias-correction exponent). */
  public long updates() {
    return updates;
  }

  void restoreUpdates(long value) {
    updates = value;
  }
}
