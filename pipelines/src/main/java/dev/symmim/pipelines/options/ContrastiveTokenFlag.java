package dev.symmim.pipelines.options;

import dev.symmim.model.config.ContrastiveHeads;

/** {@code --contrastiveToken}: what the MoCo heads read, the CLS token, the patch-token mean, or both. */
public enum ContrastiveTokenFlag {
  cls(ContrastiveHeads.Token.CLS), mean(ContrastiveHeads.Token.MEAN), clsmean(ContrastiveHeads.Token.CLS_MEAN);

  public final ContrastiveHeads.Token token;

  ContrastiveTokenFlag(ContrastiveHeads.Token token) {
    this.token = token;
  }
}
