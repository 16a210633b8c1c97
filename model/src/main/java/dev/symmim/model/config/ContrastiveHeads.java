package dev.symmim.model.config;

import com.google.gson.annotations.JsonAdapter;

/**
 * The MoCo v3 heads (METHOD.md section 2) and what they read: projector
 * {@code in -> hidden -> hidden -> out}, predictor {@code out -> predictorHidden -> out}, where the
 * projector's input is the encoder's {@link Token} read-out, the same on the online and the momentum
 * branch ({@code in} = D, or 2D for {@link Token#CLS_MEAN}).
 */
public record ContrastiveHeads(int projectorHidden, int projectorOut, int predictorHidden, Token token) {
  /** Which encoder output feeds the projector. */
  @JsonAdapter(StrictEnumAdapter.class)
  public enum Token {
    /** The CLS token (METHOD.md, MoCo v3). */
    CLS,
    /** The mean of the patch tokens. */
    MEAN,
    /** CLS and the patch-token mean concatenated (projector input 2D). */
    CLS_MEAN
  }

  /** {@code token} null (a config.json written before the field existed) means {@link Token#CLS}. */
  public ContrastiveHeads {
    Checks.check(projectorHidden > 0 && projectorOut > 0 && predictorHidden > 0,
        "head sizes must be positive: projectorHidden=" + projectorHidden + " projectorOut=" + projectorOut
            + " predictorHidden=" + predictorHidden);
    token = token == null ? Token.CLS : token;
  }

  /** The given widths, reading the CLS token. */
  public ContrastiveHeads(int projectorHidden, int projectorOut, int predictorHidden) {
    this(projectorHidden, projectorOut, predictorHidden, Token.CLS);
  }

  /** MoCo v3's sizes: 4096 hidden, 256 out, CLS. */
  public static ContrastiveHeads mocoV3() {
    return new ContrastiveHeads(4096, 256, 4096, Token.CLS);
  }

  public ContrastiveHeads withToken(Token v) {
    return new ContrastiveHeads(projectorHidden, projectorOut, predictorHidden, v);
  }

  /** The projector's input width for an encoder of width {@code dim}. */
  public int projectorIn(int dim) {
    return token == Token.CLS_MEAN ? 2 * dim : dim;
  }
}
