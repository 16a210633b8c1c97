package dev.symmim.transforms.index;

import dev.symmim.model.checkpoint.Checkpoint;
import dev.symmim.transforms.images.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * The model id written into every embedding and index: {@code sha256:<16 hex>/<branch>}, where the
 * hash covers the checkpoint's {@code config.json} and {@code tensors.bin} bytes (so a copy of a
 * checkpoint has the same id, a different step or run does not) and the branch is the encoder the
 * vectors came from ({@code online} or {@code momentum}).
 */
public final class ModelIds {
  private ModelIds() {}

  public static String of(Path checkpointDir, String branch) throws IOException {
    if (branch == null || branch.isBlank()) {
      throw new IllegalArgumentException("model id needs a branch (online or momentum), got '" + branch + "'");
    }
    MessageDigest digest = Sha256.newDigest();
    for (String name : new String[] {Checkpoint.CONFIG_FILE, Checkpoint.TENSORS_FILE}) {
      Path file = checkpointDir.resolve(name);
      if (!Files.isRegularFile(file)) {
        throw new IOException("not a checkpoint directory: " + checkpointDir + " has no " + name);
      }
      byte[] buffer = new byte[1 << 16];
      try (InputStream in = Files.newInputStream(file)) {
        for (int n; (n = in.read(buffer)) > 0; ) {
          digest.update(buffer, 0, n);
        }
      }
    }
    return "sha256:" + Sha256.hex(digest.digest()).substring(0, 16) + "/" + branch.toLowerCase(Locale.ROOT);
  }
}
