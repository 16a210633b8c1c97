package dev.symmim.model.masking;

/** Which masking strategy a run uses; the baselines share the SymMIM code path. */
public enum MaskKind {
  /** SymMIM: checkerboard M1 for the online branch, block checkerboard M2 for the momentum branch. */
  SYMMETRIC,
  /** MAE-style uniform random patches at a ratio (default 0.75), independently per branch. */
  RANDOM,
  /** SimMIM-style random square blocks at a ratio (default 0.6), independently per branch. */
  BLOCKS
}
