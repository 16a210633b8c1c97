package dev.symmim.pipelines.options;

/** {@code --encoder}: see {@link dev.symmim.transforms.embed.EncoderKind}. */
public enum EncoderFlag {
  online, momentum, random, pixels, centredPixels
}
