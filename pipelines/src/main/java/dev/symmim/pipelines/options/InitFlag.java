package dev.symmim.pipelines.options;

/** {@code --init} of a fine-tuning run: the encoder of {@code --checkpoint}, or a seeded random one (the baseline). */
public enum InitFlag {
  checkpoint, random
}
