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
 *
 * <p>Optionally with a per-element learning-rate scale aligned with the buffer (layer-wise lr
 * decay, BEiT's {@code param_groups_lrd}): element {@code i} then moves with {@code lr * scale[i]},
 * its decoupled weight decay included ({@code w *= 1 - lr * scale * wd}), as if it sat in an
 * optimizer parameter group with {@code lr_scale = scale[i]}. Still one fused update.
 */
public final class AdamW {
  private final ParameterBuffer parameters;
  private final NDArray decayMask;
  private final NDArray learningRateScale;
  private final NDArray firstMoment;
  private final NDArray secondMoment;
  private final double beta1;
  private final double beta2;
  private final double epsilon;
  private final double weightDecay;
  private long updates;

  public AdamW(ParameterBuffer parameters, NDManager stateManager, double beta1, double beta2, double epsilon,
      double weightDecay) {
    this(parameters, stateManager, beta1, beta2, epsilon, weightDecay, null);
  }

  /**
   * As the plain constructor, with {@code learningRateScale} (one value per element of
   * {@link ParameterBuffer#flat()}, or null for none) multiplying the learning rate per element.
   */
  public AdamW(ParameterBuffer parameters, NDManager stateManager, double beta1, double beta2, double epsilon,
      double weightDecay, float[] learningRateScale) {
    if (learningRateScale != null && learningRateScale.length != parameters.size()) {
      throw new IllegalArgumentException("learningRateScale needs one value per parameter element ("
          + parameters.size() + "), got " + learningRateScale.length);
    }
    this.parameters = parameters;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.weightDecay = weightDecay;
    NDArray mask = parameters.decayMask(stateManager);
    if (learningRateScale == null) {
      this.learningRateScale = null;
      this.decayMask = mask;
    } else {
      this.learningRateScale = stateManager.create(learningRateScale);
      // Decoupled decay scales with the element's lr: fold the lr scale into the decay mask once.
      this.decayMask = mask.mul(this.learningRateScale);
      mask.close();
    }
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
    NDArray update = ctx.own(firstMoment.div(denominator)).mul(ctx.scalar(lr / correction1));
    w.subi(learningRateScale == null ? update : update.mul(learningRateScale));
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

  /** The per-element learning-rate scale, or null when there is none. */
  public NDArray learningRateScale() {
    return learningRateScale;
  }

  /** Sets the update counter (bias correction) when resuming from saved moments. */
  public void restoreUpdates(long value) {
    updates = value;
  }
}
