package dev.symmim.pipelines.options;

/** {@code --model}: the ViT preset of a pretraining run. */
public enum ModelSize {
  tiny, small, base, large
}
