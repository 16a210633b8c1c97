package dev.symmim.transforms.dataset;

import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;

/** Files inside a dataset or run directory, on any Beam filesystem. */
public final class DatasetPaths {
  private DatasetPaths() {}

  /** {@code relative} (e.g. {@code train/train-00000-of-00001.avro}) inside {@code dir}. */
  public static ResourceId resolve(String dir, String relative) {
    return FileSystems.matchNewResource(dir, true).resolve(relative, StandardResolveOptions.RESOLVE_FILE);
  }

  /** The directory {@code relative} inside {@code dir} (itself when {@code relative} is empty), as a string. */
  public static String subdirectory(String dir, String relative) {
    String trimmed = relative.endsWith("/") ? relative.substring(0, relative.length() - 1) : relative;
    return trimmed.isEmpty() ? dir
        : FileSystems.matchNewResource(dir, true).resolve(trimmed, StandardResolveOptions.RESOLVE_DIRECTORY).toString();
  }
}
