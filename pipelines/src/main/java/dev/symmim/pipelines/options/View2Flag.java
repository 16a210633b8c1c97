package dev.symmim.pipelines.options;

import dev.symmim.model.config.Augmentation;

/** {@code --view2}: the momentum branch's view, strong (METHOD.md) or light (crop and flip only, as view 1). */
public enum View2Flag {
  strong(Augmentation.View2.STRONG), light(Augmentation.View2.LIGHT);

  public final Augmentation.View2 recipe;

  View2Flag(Augmentation.View2 recipe) {
    this.recipe = recipe;
  }
}
