package dev.symmim.model.config;

import com.google.gson.annotations.JsonAdapter;

/**
 * The two views (METHOD.md section 3): the RandomResizedCrop lower scale bounds of view 1 (online
 * branch, light) and view 2 (momentum branch), and view 2's recipe: {@link View2#STRONG} (METHOD.md:
 * crop, colour jitter, grayscale, blur, solarize, flip) or {@link View2#LIGHT} (view 1's recipe,
 * crop and flip only, the crop still at {@code view2MinScale}).
 */
public record Augmentation(double view1MinScale, double view2MinScale, View2 view2) {
  /** The recipe of view 2, the momentum branch's input. */
  @JsonAdapter(StrictEnumAdapter.class)
  public enum View2 {
    /** METHOD.md's strong view: crop, colour jitter, grayscale, blur, solarize, flip. */
    STRONG,
    /** A clean view for the teacher: crop and flip only, as view 1. */
    LIGHT
  }

  /** {@code view2} null (a config.json written before the field existed) means {@link View2#STRONG}. */
  public Augmentation {
    Checks.check(view1MinScale > 0 && view1MinScale <= 1, "view1MinScale must be in (0,1], got " + view1MinScale);
    Checks.check(view2MinScale > 0 && view2MinScale <= 1, "view2MinScale must be in (0,1], got " + view2MinScale);
    view2 = view2 == null ? View2.STRONG : view2;
  }

  /** Both crop bounds with METHOD.md's strong view 2. */
  public Augmentation(double view1MinScale, double view2MinScale) {
    this(view1MinScale, view2MinScale, View2.STRONG);
  }

  /** METHOD.md: 0.2 and 0.08, strong view 2. */
  public static Augmentation defaults() {
    return new Augmentation(0.2, 0.08, View2.STRONG);
  }

  public Augmentation withView2(View2 v) {
    return new Augmentation(view1MinScale, view2MinScale, v);
  }
}
