package dev.symmim.model.config;

import com.google.gson.annotations.JsonAdapter;
import dev.symmim.model.loss.ReconstructionLoss;

/**
 * {@code L = L_mim + contrastiveWeight * L_con}: the reconstruction loss on M1-masked patches and the
 * InfoNCE loss at {@code temperature} (tau), one direction or symmetrized. {@code contrastiveInput}
 * says which online forward pass gives the query q: the M1-masked one that also feeds L_mim
 * (METHOD.md) or an extra unmasked pass of the same view (iBOT-style clean student, one more
 * forward/backward per step).
 */
public record Losses(ReconstructionLoss reconstruction, double temperature, double contrastiveWeight,
    boolean symmetricContrastive, ContrastiveInput contrastiveInput) {
  /** The online pass whose read-out becomes the contrastive query. */
  @JsonAdapter(StrictEnumAdapter.class)
  public enum ContrastiveInput {
    /** The M1-masked pass of the reconstruction loss (METHOD.md). */
    MASKED,
    /** An extra pass of the same view without a mask. */
    CLEAN
  }

  /** {@code contrastiveInput} null (a config.json written before the field existed) means {@link ContrastiveInput#MASKED}. */
  public Losses {
    Checks.check(reconstruction != null, "reconstruction loss must be set");
    Checks.check(temperature > 0, "temperature must be > 0, got " + temperature);
    Checks.check(contrastiveWeight >= 0, "contrastiveWeight must be >= 0, got " + contrastiveWeight);
    contrastiveInput = contrastiveInput == null ? ContrastiveInput.MASKED : contrastiveInput;
  }

  /** The given losses with the query from the masked pass. */
  public Losses(ReconstructionLoss reconstruction, double temperature, double contrastiveWeight,
      boolean symmetricContrastive) {
    this(reconstruction, temperature, contrastiveWeight, symmetricContrastive, ContrastiveInput.MASKED);
  }

  /** METHOD.md: L1, tau 0.2, lambda 1, one direction, query from the masked pass. */
  public static Losses defaults() {
    return new Losses(ReconstructionLoss.L1, 0.2, 1.0, false, ContrastiveInput.MASKED);
  }

  public Losses withContrastiveInput(ContrastiveInput v) {
    return new Losses(reconstruction, temperature, contrastiveWeight, symmetricContrastive, v);
  }
}
