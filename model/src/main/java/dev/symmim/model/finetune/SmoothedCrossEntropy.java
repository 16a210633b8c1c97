package dev.symmim.model.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.symmim.model.vit.StepContext;

/**
 * Softmax cross-entropy with label smoothing, as timm's {@code LabelSmoothingCrossEntropy}:
 * {@code (1 - s) * (-log p_y) + s * mean_k(-log p_k)}, i.e. the cross-entropy against the target
 * {@code (1 - s) one_hot(y) + s / K}, averaged over the batch. The targets (sign and 1/N folded in)
 * are one array on the step's manager, so no Java scalar enters the gradient tape.
 */
public final class SmoothedCrossEntropy {
  private SmoothedCrossEntropy() {}

  /** Mean loss of {@code logits (N, K)} against {@code labels} (N values in [0, K)), a 0-d array. */
  public static NDArray loss(StepContext ctx, NDArray logits, int[] labels, double smoothing) {
    int n = (int) logits.getShape().get(0);
    int k = (int) logits.getShape().get(1);
    if (labels.length != n) {
      throw new IllegalArgumentException("need one label per row of the logits (" + n + "), got " + labels.length);
    }
    float[] weights = new float[n * k];
    double off = smoothing / k;
    double on = 1 - smoothing + off;
    for (int i = 0; i < n; i++) {
      int y = labels[i];
      if (y < 0 || y >= k) {
        throw new IllegalArgumentException("label " + y + " of row " + i + " outside [0, " + k + ")");
      }
      for (int c = 0; c < k; c++) {
        weights[i * k + c] = (float) (-(c == y ? on : off) / n);
      }
    }
    NDArray w = ctx.create(weights, new Shape(n, k));
    return logits.logSoftmax(1).mul(w).sum();
  }
}
