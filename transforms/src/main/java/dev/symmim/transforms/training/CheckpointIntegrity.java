package dev.symmim.transforms.training;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.symmim.transforms.io.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The SHA-256 and size of every file of a committed checkpoint, in its {@code checksums.json},
 * written when the checkpoint is committed and checked once when it is loaded: a checkpoint whose
 * files do not match (a flipped bit, a truncated or missing file) is never loaded.
 */
public final class CheckpointIntegrity {
  public static final String FILE = "checksums.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One file: its name in the checkpoint directory, byte count and SHA-256. */
  public record Entry(String name, long bytes, String sha256) {}

  /** The checksums of a checkpoint directory. */
  public record Checksums(List<Entry> files) {}

  private CheckpointIntegrity() {}

  /** Writes {@code checksums.json} for the regular files of {@code dir} (the position file and itself excluded). */
  public static void seal(Path dir) throws IOException {
    List<Entry> entries = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
        String name = f.getFileName().toString();
        if (!name.equals(FILE) && !name.equals(CheckpointStore.POSITION_FILE)) {
          entries.add(new Entry(name, Files.size(f), Sha256.ofFiles(f)));
        }
      }
    }
    Files.write(dir.resolve(FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(new Checksums(entries)));
  }

  /**
   * What is wrong with the checkpoint in {@code dir}, naming the file; empty when every listed file
   * matches (or for a checkpoint written before checksums existed: nothing to check).
   */
  public static Optional<String> problem(Path dir) {
    Path list = dir.resolve(FILE);
    if (!Files.exists(list)) {
      return Optional.empty();
    }
    try {
      Checksums sums = JSON.readValue(list.toFile(), Checksums.class);
      if (sums == null || sums.files() == null) {
        return Optional.of(list + " lists no files");
      }
      for (Entry e : sums.files()) {
        if (e == null || !plainName(e.name()) || e.sha256() == null) {
          return Optional.of(list + " has an entry without a plain file name and sha256: " + e);
        }
        Path f = dir.resolve(e.name());
        if (!Files.isRegularFile(f)) {
          return Optional.of(f + " is missing");
        }
        long bytes = Files.size(f);
        if (bytes != e.bytes()) {
          return Optional.of(f + " has " + bytes + " bytes, " + FILE + " says " + e.bytes() + " (truncated or replaced)");
        }
        String sha = Sha256.ofFiles(f);
        if (!sha.equals(e.sha256())) {
          return Optional.of(f + " has sha256 " + sha + ", " + FILE + " says " + e.sha256() + " (damaged)");
        }
      }
      return Optional.empty();
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      return Optional.of(list + " is unreadable: " + e.getOriginalMessage().lines().findFirst().orElse(""));
    } catch (IOException e) {
      return Optional.of(list + " is unreadable: " + e.getMessage());
    }
  }

  /** A file name inside the checkpoint directory: no separators, no parent references. */
  private static boolean plainName(String name) {
    return name != null && !name.isEmpty() && !name.equals(".") && !name.equals("..")
        && name.chars().noneMatch(c -> c == '/' || c == '\\' || c == 0);
  }
}
