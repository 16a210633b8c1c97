package dev.symmim.pipelines.options;

/**
 * {@code --init} of a fine-tuning run: the encoder of {@code --checkpoint}, a seeded random one (the
 * baseline), or the encoder in a timm-named {@code .safetensors} file ({@link #file}).
 */
public enum InitFlag {
  checkpoint, random, file;

  /** The kind of an {@code --init} value; anything but the two words must be a {@code .safetensors} path. */
  public static InitFlag parse(String value) {
    Flags.check(value != null && !value.isBlank(), "init", value,
        "must be checkpoint, random or a path to a .safetensors file");
    if (value.equals(checkpoint.name())) {
      return checkpoint;
    }
    if (value.equals(random.name())) {
      return random;
    }
    Flags.check(value.endsWith(".safetensors"), "init", value,
        "must be checkpoint, random or a path to a .safetensors file (local or gs://)");
    return file;
  }
}
