package dev.symmim.transforms.training;

import dev.symmim.model.checkpoint.Checkpoint;
import dev.symmim.transforms.io.Locations;
import dev.symmim.transforms.io.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.beam.sdk.io.FileSystems;

/**
 * Finds checkpoints written by {@code symmim pretrain}, names the weights, and loads each one once
 * per JVM (every DoFn instance of a worker shares the loaded tensors; each makes its own predictor).
 * A checkpoint on gs:// (or any Beam filesystem) is downloaded once per JVM into a temporary
 * directory, deleted when the JVM exits; committed checkpoint directories never change, so the copy
 * is keyed by the URI.
 */
public final class Checkpoints {
  private static final Map<Path, Checkpoint> LOADED = new ConcurrentHashMap<>();
  private static final Map<String, Path> COPIES = new ConcurrentHashMap<>();

  private Checkpoints() {}

  /**
   * The checkpoint directory for {@code path}: a checkpoint directory itself (holds
   * {@code tensors.bin}), a run's {@code checkpoints/} directory or a run directory (both: the
   * checkpoint its {@code LATEST} file names).
   */
  public static Path resolve(String path) {
    Path p = Path.of(path).toAbsolutePath().normalize();
    if (!Files.isDirectory(p)) {
      throw new IllegalArgumentException(path + " is not a directory (want a pretrain run or checkpoint directory)");
    }
    if (Files.isRegularFile(p.resolve(Checkpoint.TENSORS_FILE))) {
      CheckpointIntegrity.problem(p).ifPresent(problem -> {
        throw new IllegalArgumentException("checkpoint " + p + " is damaged: " + problem);
      });
      return p;
    }
    Path root = Files.isDirectory(p.resolve("checkpoints")) ? p.resolve("checkpoints") : p;
    Path latest = root.resolve(CheckpointStore.LATEST);
    if (!Files.isRegularFile(latest)) {
      throw new IllegalArgumentException(path + " holds no checkpoint: neither " + Checkpoint.TENSORS_FILE + " nor "
          + latest + " (has 'symmim pretrain' committed a checkpoint there?)");
    }
    try {
      Path dir = root.resolve(Files.readString(latest, StandardCharsets.UTF_8).trim());
      java.util.Optional<String> problem = Files.isRegularFile(dir.resolve(Checkpoint.TENSORS_FILE))
          ? CheckpointIntegrity.problem(dir) : java.util.Optional.of(dir + " holds no " + Checkpoint.TENSORS_FILE);
      if (problem.isEmpty()) {
        return dir;
      }
      // LATEST names a damaged checkpoint: the newest intact one instead (the store warns naming the damage).
      return new LocalCheckpointStore(root, Integer.MAX_VALUE).latest().map(CheckpointStore.Committed::dir)
          .orElseThrow(() -> new IllegalArgumentException(latest + " names a checkpoint that cannot be used ("
              + problem.get() + ") and " + root + " holds no other intact one"));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + root + ": " + e.getMessage(), e);
    }
  }

  /**
   * As {@link #resolve(String)} for a local path or a URI on any Beam filesystem (gs://): the
   * checkpoint directory's path or URI, its {@code LATEST} followed.
   */
  public static String locate(String path) {
    if (!path.contains("://")) {
      return resolve(path).toString();
    }
    String p = path.replaceAll("/+$", "");
    if (exists(p + "/" + Checkpoint.TENSORS_FILE)) {
      return p;
    }
    String root = exists(p + "/checkpoints/LATEST") ? p + "/checkpoints" : p;
    if (!exists(root + "/LATEST")) {
      throw new IllegalArgumentException(path + " holds no checkpoint: neither " + Checkpoint.TENSORS_FILE + " nor "
          + root + "/LATEST (has 'symmim pretrain' committed a checkpoint there?)");
    }
    String dir = root + "/" + new String(read(root + "/LATEST"), StandardCharsets.UTF_8).trim();
    if (!exists(dir + "/" + Checkpoint.TENSORS_FILE)) {
      throw new IllegalArgumentException(root + "/LATEST names " + dir + ", which holds no " + Checkpoint.TENSORS_FILE);
    }
    return dir;
  }

  /**
   * A local directory holding the checkpoint at {@code location}: the path itself, or for a URI a
   * copy downloaded once per JVM.
   */
  public static Path local(String location) {
    if (!location.contains("://")) {
      return Path.of(location);
    }
    return COPIES.computeIfAbsent(location.replaceAll("/+$", ""), uri -> {
      try {
        Path dir = Files.createTempDirectory("symmim-checkpoint-");
        dir.toFile().deleteOnExit(); // deleted in reverse order of registration: after its files
        for (String f : new String[] {Checkpoint.CONFIG_FILE, Checkpoint.STATE_FILE, Checkpoint.TENSORS_FILE,
            CheckpointIntegrity.FILE}) {
          if (f.equals(CheckpointIntegrity.FILE) && !exists(uri + "/" + f)) {
            continue; // written before checksums existed
          }
          try (InputStream in = Channels.newInputStream(FileSystems.open(
              FileSystems.matchNewResource(uri + "/" + f, false)))) {
            Files.copy(in, dir.resolve(f));
          }
          dir.resolve(f).toFile().deleteOnExit();
        }
        CheckpointIntegrity.problem(dir).ifPresent(problem -> {
          throw new IllegalArgumentException("checkpoint " + uri + " is damaged: " + problem);
        });
        return dir;
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot download checkpoint " + uri + ": " + e.getMessage(), e);
      }
    });
  }

  private static boolean exists(String uri) {
    try {
      return Locations.exists(uri);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot check " + uri + ": " + e.getMessage(), e);
    }
  }

  private static byte[] read(String uri) {
    try {
      return Locations.read(uri);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + uri + ": " + e.getMessage(), e);
    }
  }

  /** The checkpoint at {@code dir}, loaded once per JVM. */
  public static Checkpoint shared(Path dir) {
    return LOADED.computeIfAbsent(dir.toAbsolutePath().normalize(), d -> {
      try {
        return Checkpoint.load(d);
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot load checkpoint " + d + ": " + e.getMessage(), e);
      }
    });
  }

  /**
   * {@code sha256:<16 hex>/<encoder>}: a hash of the checkpoint's config and tensor files, so two
   * copies of the same weights have the same id and any retraining gives another.
   */
  public static String modelId(Path dir, String encoder) {
    try {
      return "sha256:" + Sha256.ofFiles(dir.resolve(Checkpoint.CONFIG_FILE), dir.resolve(Checkpoint.TENSORS_FILE))
          .substring(0, 16) + "/" + encoder;
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read checkpoint " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The run directory of a checkpoint directory ({@code <run>/checkpoints/step-X}); null if none. */
  public static String runDirOf(String checkpoint) {
    String checkpoints = Locations.parent(checkpoint);
    return checkpoints == null ? null : Locations.parent(checkpoints);
  }

  /**
   * The dataset the run that wrote {@code checkpoint} trained on ({@code dataDir} of its run.json);
   * null when unknown (a copied checkpoint without its run directory).
   */
  public static String trainingData(String checkpoint) {
    String run = checkpoint == null ? null : runDirOf(checkpoint);
    try {
      if (run == null || !Locations.exists(Locations.child(run, TrainingLoop.RUN_FILE))) {
        return null;
      }
      String json = new String(Locations.read(Locations.child(run, TrainingLoop.RUN_FILE)), StandardCharsets.UTF_8);
      com.fasterxml.jackson.databind.JsonNode dataDir = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json)
          .get("dataDir");
      return dataDir == null ? null : dataDir.asText();
    } catch (IOException e) {
      return null; // unreadable run.json: unknown, as for a copied checkpoint
    }
  }
}
