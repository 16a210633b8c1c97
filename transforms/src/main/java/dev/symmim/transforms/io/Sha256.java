package dev.symmim.transforms.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256, the content hash of this project (dedup keys, shard and manifest checksums, model ids,
 * stable placement). The one place that names the algorithm.
 */
public final class Sha256 {
  private Sha256() {}

  /** A new digest; without the checked exception no Java runtime ever throws. */
  public static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
    }
  }

  /** Lowercase hex of a digest. */
  public static String hex(byte[] digest) {
    return HexFormat.of().formatHex(digest);
  }

  /** Lowercase hex SHA-256 of {@code bytes}. */
  public static String of(byte[] bytes) {
    return hex(newDigest().digest(bytes));
  }

  /** Lowercase hex SHA-256 of the local files' contents, concatenated in the given order. */
  public static String ofFiles(Path... files) throws IOException {
    MessageDigest sha = newDigest();
    byte[] buffer = new byte[1 << 16];
    for (Path file : files) {
      try (InputStream in = Files.newInputStream(file)) {
        for (int n; (n = in.read(buffer)) > 0;) {
          sha.update(buffer, 0, n);
        }
      }
    }
    return hex(sha.digest());
  }
}
