package dev.symmim.transforms.images;

import dev.symmim.schemas.PixelEncoding;

/** How prepared pixels are stored in the shards. */
public enum PixelStorage {
  /** Raw uint8, height x width x channels: fastest to read, largest. */
  raw(PixelEncoding.RAW),
  /** A lossless PNG per image: smaller, costs a decode when read. */
  png(PixelEncoding.PNG);

  private final PixelEncoding encoding;

  PixelStorage(PixelEncoding encoding) {
    this.encoding = encoding;
  }

  public PixelEncoding encoding() {
    return encoding;
  }
}
