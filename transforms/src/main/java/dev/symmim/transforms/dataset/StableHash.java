package dev.symmim.transforms.dataset;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import dev.symmim.transforms.images.Sha256;

/**
 * A 64-bit hash of a string that is the same on every JVM, runner and run: the first 8 bytes of
 * SHA-256 over {@code salt + '\0' + key}. Used where placement must be reproducible (splits, shard
 * buckets).
 */
public final class StableHash {
  private StableHash() {}

  public static long of(String salt, String key) {
    MessageDigest digest = Sha256.newDigest();
    digest.update(salt.getBytes(StandardCharsets.UTF_8));
    digest.update((byte) 0);
    byte[] h = digest.digest(key.getBytes(StandardCharsets.UTF_8));
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (h[i] & 0xff);
    }
    return v;
  }

  /** A uniform double in [0, 1) from the hash. */
  public static double unit(String salt, String key) {
    return (of(salt, key) >>> 11) * 0x1.0p-53;
  }
}
