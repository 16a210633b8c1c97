package dev.symmim.model.config;

import dev.symmim.model.loss.ReconstructionLoss;

/**
 * {@code L = L_mim + contrastiveWeight * L_con}: the reconstruction loss on M1-masked patches and the
 * InfoNCE loss at {@code temperature} (tau), one direction or symmetrized.
 */
public record Losses(ReconstructionLoss reconstruction, double temperature, double contrastiveWeight,
    boolean symmetricContrastive) {
  public Losses {
    Checks.check(reconstruction != null, "reconstruction loss must be set");
    Checks.check(temperature > 0, "temperature must be > 0, got " + temperature);
    Checks.check(contrastiveWeight >= 0, "contrastiveWeight must be >= 0, got " + contrastiveWeight);
  }

  /** METHOD.md: L1, tau 0.2, lambda 1, one direction. */
  public static Losses defaults() {
    return new Losses(ReconstructionLoss.L1, 0.2, 1.0, false);
  }
}
