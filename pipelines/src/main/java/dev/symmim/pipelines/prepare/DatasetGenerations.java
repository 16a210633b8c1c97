package dev.symmim.pipelines.prepare;

import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.dataset.DatasetPaths;
import dev.symmim.transforms.io.Locations;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The generations of files in a prepared dataset directory. A first {@code prepare} writes its
 * shards and dead letters at the top ({@code train/}, {@code val/}, {@code failed/}: generation
 * {@code ""}); one replacing it ({@code --overwrite=true}) writes under {@code gen-<hex>/}, and the
 * manifest (renamed into place last) names the generation readers use. Files of any other
 * generation are an earlier dataset or a killed run's leftovers, removed by {@link #removeAllBut}.
 */
final class DatasetGenerations {
  private static final Logger LOG = LoggerFactory.getLogger(DatasetGenerations.class);
  static final String PREFIX = "gen-";
  private static final List<String> PARTS = List.of("train", "val", "failed", ".pieces");

  private DatasetGenerations() {}

  /** The generation the manifest in {@code dir} names; null when the manifest cannot be read. */
  static String of(String dir) {
    DatasetManifest m;
    try {
      m = DatasetManifest.readFrom(dir);
    } catch (IOException | RuntimeException e) {
      LOG.warn("prepare: the manifest in {} cannot be read ({}); its files will be replaced", dir, e.getMessage());
      return null;
    }
    return m.splits().values().stream().flatMap(s -> s.shards().stream()).map(s -> generationOf(s.path()))
        .findFirst().orElse("");
  }

  /** {@code gen-<hex>/} for a path under one, else {@code ""}. */
  static String generationOf(String relativePath) {
    int slash = relativePath.indexOf('/');
    return relativePath.startsWith(PREFIX) && slash > 0 ? relativePath.substring(0, slash + 1) : "";
  }

  /** A new generation, different from {@code current}. */
  static String next(String current) {
    String next = PREFIX + Long.toHexString(System.currentTimeMillis()) + "/";
    return next.equals(current) ? PREFIX + Long.toHexString(System.currentTimeMillis() + 1) + "/" : next;
  }

  /**
   * Removes the shards, dead letters and pieces in {@code dir} of every generation but {@code keep}
   * (null: of every generation); the manifest and other files stay.
   */
  static void removeAllBut(String dir, String keep) throws IOException {
    List<ResourceId> old = new ArrayList<>();
    List<String> generations = new ArrayList<>();
    for (String generation : List.of("", PREFIX + "*/")) {
      for (String part : PARTS) {
        String spec = DatasetPaths.resolve(dir, generation + part + "/*").toString();
        MatchResult m = FileSystems.match(List.of(spec), EmptyMatchTreatment.ALLOW).get(0);
        if (m.status() != MatchResult.Status.OK) {
          continue;
        }
        for (MatchResult.Metadata md : m.metadata()) {
          String relative = relativeTo(dir, md.resourceId().toString());
          String g = generationOf(relative);
          if (!g.equals(keep)) {
            old.add(md.resourceId());
            if (!generations.contains(g)) {
              generations.add(g);
            }
          }
        }
      }
    }
    if (old.isEmpty()) {
      return;
    }
    LOG.info("prepare: removing {} files of earlier datasets or runs in {} (generations {})", old.size(), dir,
        generations);
    FileSystems.delete(old);
    if (!Locations.isUri(dir)) {
      for (String g : generations) {
        for (String part : PARTS) {
          deleteIfEmpty(Path.of(dir, g, part));
        }
        if (!g.isEmpty()) {
          deleteIfEmpty(Path.of(dir, g));
        }
      }
    }
  }

  private static String relativeTo(String dir, String file) {
    String base = dir.endsWith("/") ? dir : dir + "/";
    if (!file.startsWith(base)) {
      throw new IllegalStateException(file + " is not inside " + dir);
    }
    return file.substring(base.length());
  }

  private static void deleteIfEmpty(Path p) throws IOException {
    try {
      Files.delete(p);
    } catch (NoSuchFileException | DirectoryNotEmptyException e) {
      // absent, or still holds the kept generation's files
    }
  }
}
