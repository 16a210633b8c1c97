package dev.symmim.pipelines.options;

import dev.symmim.model.masking.MaskKind;

/** {@code --mask}: SymMIM's symmetric masks or one of the ablation baselines. */
public enum MaskFlag {
  symmetric(MaskKind.SYMMETRIC), random(MaskKind.RANDOM), block(MaskKind.BLOCKS);

  public final MaskKind kind;

  MaskFlag(MaskKind kind) {
    this.kind = kind;
  }
}
