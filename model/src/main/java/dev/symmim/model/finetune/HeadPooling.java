package dev.symmim.model.finetune;

/** How the classifier reads one vector out of the encoder's final (LayerNorm-ed) tokens. */
public enum HeadPooling {
  /** The CLS token (METHOD.md section 6 default: "LayerNorm-ed CLS -> Linear"). */
  CLS,
  /** The mean of the patch tokens, then a fresh LayerNorm ({@code fc_norm}, MAE's global pool). */
  MEAN_PATCH
}
