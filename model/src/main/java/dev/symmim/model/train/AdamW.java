package dev.symmim.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.symmim.model.vit.Parameter;
import dev.symmim.model.vit.StepContext;
import java.util.ArrayList;
import java.util.List;

/**
 * AdamW as {@code torch.optim.AdamW} (decoupled decay, bias-corrected moments). Moments live in
 * their own manager and are exposed for checkpoints, since DJL cannot save optimizer state.
 * Parameters with {@code decay() == false} (biases, norms, tokens) get no weight decay.
 */
public final class AdamW {
  private final List<Parameter> parameters;
  private final List<NDArray> firstMoments = new ArrayList<>();
  private final List<NDArray> secondMoments = new ArrayList<>();
  private final double beta1;
  private final double beta2;
  private final double epsilon;
  private final double weightDecay;
  private long updates;

  public AdamW(List<Parameter> parameters, NDManager stateManager, double beta1, double beta2, double epsilon,
      double weightDecay) {
    this.parameters = List.copyOf(parameters);
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.weightDecay = weightDecay;
    for (Parameter p : parameters) {
      firstMoments.add(stateManager.zeros(p.array().getShape()));
      secondMoments.add(stateManager.zeros(p.array().getShape()));
    }
  }

  /**
   * One update with learning rate {@code lr}; every gradient is first multiplied by
   * {@code gradScale} (gradient clipping). Must run outside the gradient tape.
   */
  public void update(StepContext ctx, List<NDArray> gradients, double lr, double gradScale) {
    updates++;
    double correction1 = 1 - Math.pow(beta1, updates);
    double correction2 = 1 - Math.pow(beta2, updates);
    NDArray scale = ctx.scalar(gradScale);
    NDArray b1 = ctx.scalar(beta1);
    NDArray oneMinusB1 = ctx.scalar(1 - beta1);
    NDArray b2 = ctx.scalar(beta2);
    NDArray oneMinusB2 = ctx.scalar(1 - beta2);
    NDArray invSqrtCorrection2 = ctx.scalar(1 / Math.sqrt(correction2));
    NDArray eps = ctx.scalar(epsilon);
    NDArray stepSize = ctx.scalar(lr / correction1);
    NDArray decayFactor = ctx.scalar(1 - lr * weightDecay);
    for (int i = 0; i < parameters.size(); i++) {
      Parameter p = parameters.get(i);
      NDArray g = gradScale == 1.0 ? gradients.get(i) : gradients.get(i).mul(scale);
      NDArray m = firstMoments.get(i);
      NDArray v = secondMoments.get(i);
      if (p.decay() && weightDecay != 0) {
        p.array().muli(decayFactor);
      }
      m.muli(b1).addi(g.mul(oneMinusB1));
      v.muli(b2).addi(g.square().mul(oneMinusB2));
      NDArray denominator = ctx.own(v.sqrt()).mul(invSqrtCorrection2).add(eps);
      p.array().subi(ctx.own(m.div(denominator)).mul(stepSize));
    }
  }

  public List<NDArray> firstMoments() {
    return firstMoments;
  }

  public List<NDArray> secondMoments() {
    return secondMoments;
  }

  /** Number of updates applied so far (the bias-correction exponent). */
  public long updates() {
    return updates;
  }

  void restoreUpdates(long value) {
    updates = value;
  }
}
