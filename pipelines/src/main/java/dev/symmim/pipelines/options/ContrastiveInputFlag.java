package dev.symmim.pipelines.options;

import dev.symmim.model.config.Losses;

/** {@code --contrastiveInput}: the online query from the M1-masked pass (METHOD.md) or an extra clean pass. */
public enum ContrastiveInputFlag {
  masked(Losses.ContrastiveInput.MASKED), clean(Losses.ContrastiveInput.CLEAN);

  public final Losses.ContrastiveInput input;

  ContrastiveInputFlag(Losses.ContrastiveInput input) {
    this.input = input;
  }
}
