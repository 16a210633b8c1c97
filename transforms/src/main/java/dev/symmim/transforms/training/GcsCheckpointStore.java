package dev.symmim.transforms.training;

import dev.symmim.transforms.io.Locations;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.Storage;
import dev.symmim.model.checkpoint.Checkpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Committed checkpoints under {@code gs://bucket/<run>/checkpoints/}, written with the
 * google-cloud-storage client. A commit uploads the checkpoint's files (config.json, position.json,
 * state.json, tensors.bin) to {@code step-XXXXXXXX/}, each created only if absent
 * ({@code ifGenerationMatch=0}); then the commit marker {@code step-XXXXXXXX/COMMITTED}, a JSON
 * record of the position and of every object's generation, crc32c and size, also created only if
 * absent; then replaces {@code LATEST} on the precondition that it is still the generation read
 * before. A checkpoint is committed once its marker exists: objects without a marker (a process
 * killed mid-upload) are never used and {@link #removeLeftovers()} deletes them. Restoring
 * downloads exactly the generations the marker lists and checks their crc32c. The newest
 * {@code keep} committed checkpoints are kept (marker deleted first, then the objects).
 *
 * <p>The trainer works on local directories: the store keeps a local copy of the newest checkpoint
 * it committed or restored under {@code cache}.
 */
public final class GcsCheckpointStore implements CheckpointStore {
  private static final Logger LOG = LoggerFactory.getLogger(GcsCheckpointStore.class);
  public static final String MARKER = "COMMITTED";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One object of a checkpoint as its commit marker lists it. */
  public record Part(String file, long generation, String crc32c, long size) {}

  /** A commit marker's content. */
  public record Marker(String checkpoint, Position position, List<Part> objects) {}

  private record StoredMarker(Marker marker, long generation) {}

  private final GcsObjects gcs;
  private final String prefix;
  private final Path cache;
  private final int keep;

  /**
   * {@code root}: {@code gs://bucket/<run>/checkpoints}; {@code cache}: a local directory for the
   * newest checkpoint's copy; {@code keep}: committed checkpoints kept on GCS (>= 1).
   */
  public GcsCheckpointStore(Storage storage, String root, Path cache, int keep) throws IOException {
    if (keep < 1) {
      throw new IllegalArgumentException("keep must be >= 1, got " + keep);
    }
    GcsLocation at = GcsLocation.parse(root);
    this.gcs = new GcsObjects(storage, at.bucket());
    this.prefix = at.object().isEmpty() ? "" : at.object() + "/";
    this.cache = cache;
    this.keep = keep;
    Files.createDirectories(cache);
  }

  @Override
  public Path commit(Snapshot checkpoint, Position position) throws IOException {
    String name = String.format("step-%08d", position.step());
    if (gcs.get(prefix + name + "/" + MARKER) != null) { // same step again after a NaN rollback
      name = name + String.format("-b%08d", position.nextBatch());
    }
    Path tmp = cache.resolve(".tmp-" + name + "-" + System.nanoTime());
    Files.createDirectories(tmp);
    checkpoint.save(tmp);
    CheckpointIntegrity.seal(tmp);
    Files.write(tmp.resolve(CheckpointStore.POSITION_FILE), JSON.writeValueAsBytes(position));
    List<Part> parts = new ArrayList<>();
    for (Path f : files(tmp)) {
      String file = f.getFileName().toString();
      GcsObjects.Stored s = gcs.createIfAbsent(prefix + name + "/" + file, f);
      parts.add(new Part(file, s.generation(), s.crc32c(), s.size()));
    }
    gcs.createIfAbsent(prefix + name + "/" + MARKER, JSON.writeValueAsBytes(new Marker(name, position, parts)));
    swapLatest(name);
    Path dir = keepLocally(tmp, name);
    prune(name);
    return dir;
  }

  @Override
  public Optional<Committed> latest() throws IOException {
    Map<String, StoredMarker> markers = markers();
    if (markers.isEmpty()) {
      return Optional.empty();
    }
    String named = latestName();
    Marker chosen = named != null && markers.containsKey(named) ? markers.get(named).marker()
        : markers.values().stream().map(StoredMarker::marker)
            .max(Comparator.comparingLong(m -> m.position().nextBatch())).orElseThrow();
    return Optional.of(new Committed(restore(chosen), chosen.position()));
  }

  @Override
  public void removeLeftovers() throws IOException {
    try (Stream<Path> s = Files.list(cache)) {
      for (Path p : s.filter(p -> p.getFileName().toString().startsWith(".tmp-")).toList()) {
        Locations.deleteTree(p);
      }
    }
    Map<String, List<Blob>> byCheckpoint = new TreeMap<>();
    List<String> marked = new ArrayList<>();
    for (Blob b : gcs.list(prefix)) {
      String rel = b.getName().substring(prefix.length());
      int slash = rel.indexOf('/');
      if (slash < 0) {
        continue; // LATEST
      }
      String checkpoint = rel.substring(0, slash);
      if (rel.substring(slash + 1).equals(MARKER)) {
        marked.add(checkpoint);
      } else {
        byCheckpoint.computeIfAbsent(checkpoint, k -> new ArrayList<>()).add(b);
      }
    }
    for (Map.Entry<String, List<Blob>> e : byCheckpoint.entrySet()) {
      if (!marked.contains(e.getKey())) {
        for (Blob b : e.getValue()) {
          gcs.delete(b.getName(), b.getGeneration());
        }
        LOG.info("pretrain: deleted uncommitted checkpoint {} ({} objects without a {} marker)",
            gcs.uri(prefix + e.getKey() + "/"), e.getValue().size(), MARKER);
      }
    }
  }

  @Override
  public String location(Path committed) {
    return gcs.uri(prefix + committed.getFileName());
  }

  /** Committed checkpoints by name (those with a commit marker). */
  private Map<String, StoredMarker> markers() throws IOException {
    Map<String, StoredMarker> out = new HashMap<>();
    for (Blob b : gcs.list(prefix)) {
      if (b.getName().endsWith("/" + MARKER)) {
        Marker m = JSON.readValue(gcs.read(b.getName(), b.getGeneration()), Marker.class);
        out.put(m.checkpoint(), new StoredMarker(m, b.getGeneration()));
      }
    }
    return out;
  }

  /** The name LATEST holds, or null. */
  private String latestName() throws IOException {
    Blob b = gcs.get(prefix + CheckpointStore.LATEST);
    return b == null ? null : new String(gcs.read(b.getName(), b.getGeneration()), StandardCharsets.UTF_8).trim();
  }

  /** Points LATEST at {@code name}, on the precondition that nobody replaced it since it was read. */
  private void swapLatest(String name) throws IOException {
    Blob current = gcs.get(prefix + CheckpointStore.LATEST);
    gcs.replace(prefix + CheckpointStore.LATEST, (name + "\n").getBytes(StandardCharsets.UTF_8),
        current == null ? 0 : current.getGeneration());
  }

  /** A local copy of {@code m}'s checkpoint: the one in the cache, or the marker's generations downloaded. */
  private Path restore(Marker m) throws IOException {
    Path dir = cache.resolve(m.checkpoint());
    if (Files.isDirectory(dir)) {
      return dir;
    }
    Path tmp = cache.resolve(".tmp-restore-" + m.checkpoint() + "-" + System.nanoTime());
    Files.createDirectories(tmp);
    for (Part p : m.objects()) {
      gcs.download(prefix + m.checkpoint() + "/" + p.file(), p.generation(), p.crc32c(), p.size(), tmp.resolve(p.file()));
    }
    LOG.info("pretrain: restored {} ({} objects, crc32c checked)", gcs.uri(prefix + m.checkpoint() + "/"),
        m.objects().size());
    return keepLocally(tmp, m.checkpoint());
  }

  /** Moves {@code tmp} to the cache as {@code name}, the only local copy kept. */
  private Path keepLocally(Path tmp, String name) throws IOException {
    Path dir = cache.resolve(name);
    if (Files.exists(dir)) {
      Locations.deleteTree(dir);
    }
    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
    try (Stream<Path> s = Files.list(cache)) {
      for (Path p : s.filter(p -> !p.equals(dir) && !p.getFileName().toString().startsWith(".tmp-")).toList()) {
        Locations.deleteTree(p);
      }
    }
    return dir;
  }

  private void prune(String latest) throws IOException {
    List<StoredMarker> all = new ArrayList<>(markers().values());
    all.removeIf(m -> m.marker().checkpoint().equals(latest));
    all.sort(Comparator.comparingLong(m -> m.marker().position().nextBatch()));
    for (int i = 0; i < all.size() - (keep - 1); i++) {
      Marker m = all.get(i).marker();
      String dir = prefix + m.checkpoint() + "/";
      if (gcs.delete(dir + MARKER, all.get(i).generation())) {
        for (Blob b : gcs.list(dir)) {
          gcs.delete(b.getName(), b.getGeneration());
        }
      }
    }
  }

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    }
  }

}
