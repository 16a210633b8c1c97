package dev.symmim.model.config;

/**
 * The two views' RandomResizedCrop lower scale bounds (METHOD.md section 3): view 1 (online branch,
 * light) and view 2 (momentum branch, strong); the rest of each view's recipe is fixed.
 */
public record Augmentation(double view1MinScale, double view2MinScale) {
  public Augmentation {
    Checks.check(view1MinScale > 0 && view1MinScale <= 1, "view1MinScale must be in (0,1], got " + view1MinScale);
    Checks.check(view2MinScale > 0 && view2MinScale <= 1, "view2MinScale must be in (0,1], got " + view2MinScale);
  }

  /** METHOD.md: 0.2 and 0.08. */
  public static Augmentation defaults() {
    return new Augmentation(0.2, 0.08);
  }
}
