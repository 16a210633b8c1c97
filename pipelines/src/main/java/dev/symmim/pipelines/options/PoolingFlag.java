package dev.symmim.pipelines.options;

import dev.symmim.model.finetune.HeadPooling;

/** {@code --pooling} of a classifier head: the CLS token or the mean of the patch tokens. */
public enum PoolingFlag {
  cls(HeadPooling.CLS), mean(HeadPooling.MEAN_PATCH);

  public final HeadPooling pooling;

  PoolingFlag(HeadPooling pooling) {
    this.pooling = pooling;
  }
}
