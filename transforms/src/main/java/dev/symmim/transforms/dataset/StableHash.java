package dev.symmim.transforms.dataset;

import java.nio.charset.StandardCharsets;

/**
 * A 64-bit hash of a string that is the same on every JVM, runner and run (unlike
 * {@code String.hashCode} mixing or identity hashes): FNV-1a over the UTF-8 bytes of
 * {@code salt + '\0' + key}, then the SplitMix64 finalizer for well-spread bits. Used where
 * placement must be reproducible (splits, shard buckets). Not cryptographic.
 */
public final class StableHash {
  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private StableHash() {}

  public static long of(String salt, String key) {
    long h = FNV_OFFSET;
    h = mixIn(h, salt);
    h = (h ^ 0) * FNV_PRIME;
    h = mixIn(h, key);
    // SplitMix64 finalizer
    h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
    h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
    return h ^ (h >>> 31);
  }

  private static long mixIn(long h, String s) {
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * FNV_PRIME;
    }
    return h;
  }

  /** A uniform double in [0, 1) from the hash. */
  public static double unit(String salt, String key) {
    return (of(salt, key) >>> 11) * 0x1.0p-53;
  }
}
