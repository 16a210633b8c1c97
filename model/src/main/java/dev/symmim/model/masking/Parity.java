package dev.symmim.model.masking;

/** The parity {@code s} of the symmetric masks. */
public enum Parity {
  /** {@code s = 0} for every sample, as written in the paper (default). */
  FIXED,
  /** {@code s} drawn per sample (0 or 1), shared by M1 and M2 of that sample. */
  RANDOM
}
