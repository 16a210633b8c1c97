package dev.symmim.model.config;

/**
 * Widths of the MoCo v3 heads (METHOD.md section 2): projector {@code D -> hidden -> hidden -> out},
 * predictor {@code out -> predictorHidden -> out}.
 */
public record ContrastiveHeads(int projectorHidden, int projectorOut, int predictorHidden) {
  public ContrastiveHeads {
    Checks.check(projectorHidden > 0 && projectorOut > 0 && predictorHidden > 0,
        "head sizes must be positive: projectorHidden=" + projectorHidden + " projectorOut=" + projectorOut
            + " predictorHidden=" + predictorHidden);
  }

  /** MoCo v3's sizes: 4096 hidden, 256 out. */
  public static ContrastiveHeads mocoV3() {
    return new ContrastiveHeads(4096, 256, 4096);
  }
}
