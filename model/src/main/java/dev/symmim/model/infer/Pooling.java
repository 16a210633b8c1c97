package dev.symmim.model.infer;

/**
 * How an {@link EmbeddingPredictor} reads one vector out of the encoder's final (LayerNorm-ed)
 * tokens. METHOD.md section 4 evaluates the CLS token; the mean of the patch tokens is the
 * usual read-out of masked-image-modeling encoders and is reported next to it.
 */
public enum Pooling {
  /** The CLS token (METHOD.md's k-NN protocol). */
  CLS,
  /** The mean of the patch tokens (CLS excluded). */
  MEAN_PATCH
}
