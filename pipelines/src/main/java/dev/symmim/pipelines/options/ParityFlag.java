package dev.symmim.pipelines.options;

import dev.symmim.model.masking.Parity;

/** {@code --parity}: the symmetric masks' parity s, fixed at 0 or random per sample. */
public enum ParityFlag {
  fixed(Parity.FIXED), random(Parity.RANDOM);

  public final Parity parity;

  ParityFlag(Parity parity) {
    this.parity = parity;
  }
}
