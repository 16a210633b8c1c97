package dev.symmim.model.config;

/**
 * AdamW and its step size: peak learning rate {@code baseLearningRate * batchSize / 256} (linear
 * scaling), decoupled weight decay (none on biases, norms and tokens), gradient clipping by global
 * norm (0: off).
 */
public record Optimisation(int batchSize, double baseLearningRate, double minLearningRate, double weightDecay,
    double beta1, double beta2, double epsilon, double gradientClip) {
  public Optimisation {
    Checks.check(batchSize >= 2, "batchSize must be >= 2 (InfoNCE and BatchNorm need a batch), got " + batchSize);
    Checks.check(baseLearningRate > 0, "baseLearningRate must be > 0, got " + baseLearningRate);
    Checks.check(minLearningRate >= 0, "minLearningRate must be >= 0, got " + minLearningRate);
    Checks.check(weightDecay >= 0, "weightDecay must be >= 0, got " + weightDecay);
    Checks.check(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "betas must be in [0,1), got " + beta1 + ", " + beta2);
    Checks.check(epsilon > 0, "epsilon must be > 0, got " + epsilon);
    Checks.check(gradientClip >= 0, "gradientClip must be >= 0 (0 = off), got " + gradientClip);
  }

  /** METHOD.md section 3 for pretraining: batch 256, lr 1.5e-4, wd 0.05, betas (0.9, 0.95), clip 5. */
  public static Optimisation pretraining() {
    return new Optimisation(256, 1.5e-4, 0.0, 0.05, 0.9, 0.95, 1e-8, 5.0);
  }

  /** Peak learning rate: {@code baseLearningRate * batchSize / 256} (MAE/SimMIM linear scaling). */
  public double peakLearningRate() {
    return baseLearningRate * batchSize / 256.0;
  }

  public Optimisation withBatch(int size, double baseLr) {
    return new Optimisation(size, baseLr, minLearningRate, weightDecay, beta1, beta2, epsilon, gradientClip);
  }
}
