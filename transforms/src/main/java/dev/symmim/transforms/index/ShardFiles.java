package dev.symmim.transforms.index;

import dev.symmim.transforms.dataset.DatasetPaths;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.util.MimeTypes;

/**
 * Moves a shard's Lucene files between a worker's local disk and the index directory on any Beam
 * filesystem (local or {@code gs://}).
 */
final class ShardFiles {
  private ShardFiles() {}

  /**
   * Copies every file of {@code localDir} into {@code <indexDir>/<shardPath>/}: files left there
   * by an earlier attempt are deleted first, each file is written under a temporary name and all
   * are renamed at the end, so a half-copied shard never has its real file names. (The shard only
   * counts once {@code index.json}, written after all shards, lists its files and sizes.)
   */
  static List<IndexManifest.ShardFile> upload(Path localDir, String indexDir, String shardPath) throws IOException {
    String remoteDir = DatasetPaths.resolve(indexDir, shardPath).toString();
    deleteAll(remoteDir);
    List<Path> files;
    try (Stream<Path> s = Files.list(localDir)) {
      files = s.filter(Files::isRegularFile).sorted(Comparator.comparing(Path::toString)).toList();
    }
    String nonce = Long.toHexString(System.nanoTime());
    List<ResourceId> temps = new ArrayList<>();
    List<ResourceId> targets = new ArrayList<>();
    List<IndexManifest.ShardFile> listed = new ArrayList<>();
    for (Path f : files) {
      String name = f.getFileName().toString();
      if (name.equals("write.lock")) {
        continue;
      }
      ResourceId temp = DatasetPaths.resolve(remoteDir, ".tmp-" + nonce + "-" + name);
      try (OutputStream out = Channels.newOutputStream(FileSystems.create(temp, MimeTypes.BINARY))) {
        Files.copy(f, out);
      }
      temps.add(temp);
      targets.add(DatasetPaths.resolve(remoteDir, name));
      listed.add(new IndexManifest.ShardFile(name, Files.size(f)));
    }
    FileSystems.rename(temps, targets);
    return listed;
  }

  /**
   * Copies the files of {@code shard} from the index directory into {@code localDir}, checking
   * that each one exists and has the size {@code index.json} lists.
   */
  static void download(String indexDir, IndexManifest.Shard shard, Path localDir) throws IOException {
    Files.createDirectories(localDir);
    for (IndexManifest.ShardFile f : shard.files()) {
      ResourceId source = DatasetPaths.resolve(indexDir, shard.path() + "/" + f.name());
      Path target = localDir.resolve(f.name());
      try (InputStream in = Channels.newInputStream(FileSystems.open(source))) {
        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
      } catch (java.io.FileNotFoundException e) {
        throw missing(indexDir, shard, f, e);
      }
      if (Files.size(target) != f.bytes()) {
        throw new IOException("index " + indexDir + ": " + shard.path() + "/" + f.name() + " has " + Files.size(target)
            + " bytes, index.json lists " + f.bytes() + ": the shard is damaged");
      }
    }
  }

  /** Checks that every file of {@code shard} is in {@code localDir} with its listed size. */
  static void check(String indexDir, IndexManifest.Shard shard, Path localDir) throws IOException {
    for (IndexManifest.ShardFile f : shard.files()) {
      Path p = localDir.resolve(f.name());
      if (!Files.isRegularFile(p)) {
        throw missing(indexDir, shard, f, null);
      }
      if (Files.size(p) != f.bytes()) {
        throw new IOException("index " + indexDir + ": " + shard.path() + "/" + f.name() + " has " + Files.size(p)
            + " bytes, index.json lists " + f.bytes() + ": the shard is damaged");
      }
    }
  }


  private static IOException missing(String indexDir, IndexManifest.Shard shard, IndexManifest.ShardFile f,
      Throwable cause) {
    return new IOException("index " + indexDir + ": shard " + shard.shard() + " is missing " + shard.path() + "/"
        + f.name() + " (listed in index.json): the index is incomplete; rebuild it with 'symmim index'", cause);
  }

  private static void deleteAll(String remoteDir) throws IOException {
    MatchResult m = FileSystems.match(List.of(DatasetPaths.resolve(remoteDir, "*").toString()), EmptyMatchTreatment.ALLOW)
        .get(0);
    List<ResourceId> old = new ArrayList<>();
    for (MatchResult.Metadata md : m.metadata()) {
      old.add(md.resourceId());
    }
    FileSystems.delete(old, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
  }
}
