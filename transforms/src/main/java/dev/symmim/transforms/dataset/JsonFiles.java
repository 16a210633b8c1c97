package dev.symmim.transforms.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.util.MimeTypes;

/** The manifests' JSON files on any Beam filesystem: written under a temporary name and renamed, read with clear errors. */
public final class JsonFiles {
  private JsonFiles() {}

  /** Writes {@code value} as indented JSON to {@code <dir>/<name>}, via a temporary file and a rename. */
  public static void write(String dir, String name, Object value) throws IOException {
    ResourceId target = DatasetPaths.resolve(dir, name);
    ResourceId temp = DatasetPaths.resolve(dir, "." + name + ".tmp-" + Long.toHexString(System.nanoTime()));
    try (OutputStream out = Channels.newOutputStream(FileSystems.create(temp, MimeTypes.TEXT))) {
      out.write(DatasetManifest.json().writeValueAsString(value).getBytes(StandardCharsets.UTF_8));
      out.write('\n');
    }
    FileSystems.rename(List.of(temp), List.of(target), MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
  }

  /**
   * Reads {@code <dir>/<name>} as {@code type}; a missing file is reported as "no {@code what} at
   * path: {@code hint}", a malformed one as "malformed {@code what} path: reason".
   */
  public static <T> T read(String dir, String name, Class<T> type, String what, String hint) throws IOException {
    ResourceId target = DatasetPaths.resolve(dir, name);
    try (InputStream in = Channels.newInputStream(FileSystems.open(target))) {
      T value = DatasetManifest.json().readValue(in, type);
      if (value == null) {
        throw new IOException("malformed " + what + " " + target + ": no JSON value");
      }
      return value;
    } catch (java.io.FileNotFoundException e) {
      throw new IOException("no " + what + " at " + target + ": " + hint, e);
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new IOException("malformed " + what + " " + target + ": "
          + e.getOriginalMessage().lines().findFirst().orElse(""), e);
    }
  }

  /** Refuses {@code <dir>/<name>} as "malformed WHAT path: problem" unless {@code problem} is null. */
  public static void check(String problem, String dir, String name, String what) throws IOException {
    if (problem != null) {
      throw new IOException("malformed " + what + " " + DatasetPaths.resolve(dir, name) + ": " + problem);
    }
  }
}
