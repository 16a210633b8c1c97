package dev.symmim.transforms.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.util.MimeTypes;

/**
 * Files named by a local path or a URI on any Beam filesystem (gs://), read and written outside a
 * pipeline: a run's metrics.jsonl and run.json, a report's pages, a checkpoint's LATEST. Beam's FileSystems must have been
 * given the pipeline options first (every command does so before planning).
 */
public final class Locations {
  private Locations() {}

  public static boolean isUri(String location) {
    return location.contains("://");
  }

  /** A local path made absolute and normalized (workers may run in other directories); a URI as given. */
  public static String absolute(String location) {
    return isUri(location) ? location : Path.of(location).toAbsolutePath().normalize().toString();
  }

  /** Deletes a local directory and everything in it; nothing if it does not exist. */
  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Deletes a directory given as a local path or a URI (every object under it); nothing if there is none. */
  public static void deleteTree(String dir) throws IOException {
    if (!isUri(dir)) {
      deleteTree(Path.of(dir));
      return;
    }
    MatchResult match = FileSystems.match(dir.replaceAll("/+$", "") + "/**", EmptyMatchTreatment.ALLOW);
    if (match.status() == MatchResult.Status.OK && !match.metadata().isEmpty()) {
      FileSystems.delete(match.metadata().stream().map(MatchResult.Metadata::resourceId).toList(),
          MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    }
  }

  /** {@code name} inside the directory {@code dir} (path or URI). */
  public static String child(String dir, String name) {
    return isUri(dir) ? dir.replaceAll("/+$", "") + "/" + name : Path.of(dir).resolve(name).toString();
  }

  /** The directory holding {@code location}; null at a root. */
  public static String parent(String location) {
    if (!isUri(location)) {
      Path p = Path.of(location).getParent();
      return p == null ? null : p.toString();
    }
    String s = location.replaceAll("/+$", "");
    int slash = s.lastIndexOf('/');
    return slash <= s.indexOf("://") + 2 ? null : s.substring(0, slash);
  }

  public static boolean exists(String location) throws IOException {
    if (!isUri(location)) {
      return Files.isRegularFile(Path.of(location));
    }
    MatchResult m = FileSystems.match(location, EmptyMatchTreatment.ALLOW);
    return m.status() == MatchResult.Status.OK && !m.metadata().isEmpty();
  }

  public static byte[] read(String location) throws IOException {
    if (!isUri(location)) {
      return Files.readAllBytes(Path.of(location));
    }
    try (InputStream in = Channels.newInputStream(FileSystems.open(FileSystems.matchNewResource(location, false)))) {
      return in.readAllBytes();
    }
  }

  /** Writes {@code file} to {@code location} (a GCS object is created whole, so readers never see a part). */
  public static void upload(Path file, String location) throws IOException {
    try (OutputStream out = Channels.newOutputStream(FileSystems.create(
        FileSystems.matchNewResource(location, false), mimeType(location)))) {
      Files.copy(file, out);
    }
  }

  public static void write(String location, byte[] bytes) throws IOException {
    try (OutputStream out = Channels.newOutputStream(FileSystems.create(
        FileSystems.matchNewResource(location, false), mimeType(location)))) {
      out.write(bytes);
    }
  }

  private static String mimeType(String name) {
    if (name.endsWith(".html")) {
      return "text/html";
    }
    if (name.endsWith(".png")) {
      return "image/png";
    }
    if (name.endsWith(".json") || name.endsWith(".jsonl")) {
      return "application/json";
    }
    return MimeTypes.BINARY;
  }
}
