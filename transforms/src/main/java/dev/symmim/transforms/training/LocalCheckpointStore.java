package dev.symmim.transforms.training;

import dev.symmim.transforms.io.Locations;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.symmim.model.checkpoint.Checkpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Committed checkpoints under {@code <run>/checkpoints/}: each is written into a temporary
 * directory, completed with {@code position.json} last, renamed atomically to
 * {@code step-XXXXXXXX}, and only then named by the {@code LATEST} pointer (itself replaced by an
 * atomic rename). A process killed at any point leaves the previous checkpoint as the latest.
 */
public final class LocalCheckpointStore implements CheckpointStore {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final com.fasterxml.jackson.databind.ObjectReader POSITION_READER = JSON.readerFor(Position.class)
      .with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
          com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LocalCheckpointStore.class);
  private final Path root;
  private final int keep;
  private final java.util.Set<Path> verified = new java.util.HashSet<>();

  /** {@code keep}: how many committed checkpoints stay on disk (older ones are deleted; >= 1). */
  public LocalCheckpointStore(Path root, int keep) throws IOException {
    if (keep < 1) {
      throw new IllegalArgumentException("keep must be >= 1, got " + keep);
    }
    this.root = root;
    this.keep = keep;
    Files.createDirectories(root);
  }

  public Path root() {
    return root;
  }

  /** Commits {@code checkpoint} at {@code position}; returns its directory. */
  @Override
  public Path commit(Snapshot checkpoint, Position position) throws IOException {
    String name = String.format("step-%08d", position.step());
    if (Files.exists(root.resolve(name))) { // same step again after a NaN rollback: a later data position
      name = name + String.format("-b%08d", position.nextBatch());
    }
    Path tmp = root.resolve(".tmp-" + name + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    Files.createDirectories(tmp);
    checkpoint.save(tmp);
    CheckpointIntegrity.seal(tmp);
    Files.write(tmp.resolve(POSITION_FILE), JSON.writeValueAsBytes(position));
    Path dir = root.resolve(name);
    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
    verified.add(dir); // just written and sealed
    Path pointer = root.resolve(".tmp-" + LATEST + "-" + System.nanoTime());
    Files.write(pointer, (name + "\n").getBytes(StandardCharsets.UTF_8));
    Files.move(pointer, root.resolve(LATEST), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    prune(dir);
    return dir;
  }

  /**
   * The latest committed checkpoint whose files match their checksums: the one LATEST names, else the
   * complete step directory with the furthest position. A damaged one is skipped with a warning that
   * names it and the file; each is verified once per store.
   */
  @Override
  public Optional<Committed> latest() throws IOException {
    List<Path> candidates = new ArrayList<>();
    Path pointer = root.resolve(LATEST);
    if (Files.exists(pointer)) {
      Path dir = root.resolve(Files.readString(pointer, StandardCharsets.UTF_8).trim());
      if (complete(dir)) {
        candidates.add(dir);
      }
    }
    List<Path> byPosition = new ArrayList<>(committed());
    byPosition.sort(Comparator.comparingLong((Path p) -> positionOrMinus(p)).reversed());
    for (Path dir : byPosition) {
      if (!candidates.contains(dir)) {
        candidates.add(dir);
      }
    }
    for (Path dir : candidates) {
      java.util.Optional<String> problem = verified.contains(dir) ? Optional.empty() : CheckpointIntegrity.problem(dir);
      if (problem.isEmpty()) {
        try {
          Position position = position(dir);
          verified.add(dir);
          return Optional.of(new Committed(dir, position));
        } catch (IOException e) { // not covered by the checksums: damaged like any other file
          problem = Optional.of(e.getMessage());
        }
      }
      LOG.warn("checkpoint {} is not used: {}", dir, problem.get());
    }
    return Optional.empty();
  }

  private long positionOrMinus(Path dir) {
    try {
      return position(dir).nextBatch();
    } catch (IOException e) {
      return -1;
    }
  }

  /** Deletes temporary directories a killed process left behind. */
  @Override
  public void removeLeftovers() throws IOException {
    try (Stream<Path> s = Files.list(root)) {
      for (Path p : s.filter(p -> p.getFileName().toString().startsWith(".tmp-")).toList()) {
        Locations.deleteTree(p);
      }
    }
  }

  @Override
  public String location(Path committed) {
    return committed.toString();
  }

  private List<Path> committed() throws IOException {
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(p -> p.getFileName().toString().startsWith("step-") && complete(p))
          .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
    }
  }

  private static boolean complete(Path dir) {
    return Files.isRegularFile(dir.resolve(POSITION_FILE)) && Files.isRegularFile(dir.resolve(Checkpoint.TENSORS_FILE));
  }

  /**
   * The position a checkpoint was committed at. It is written after the checksums, so it is read
   * strictly (every field present, no nulls, none negative) and a bad one is reported naming the file.
   */
  private static Position position(Path dir) throws IOException {
    Path file = dir.resolve(POSITION_FILE);
    Position p;
    try {
      p = POSITION_READER.readValue(file.toFile());
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new IOException("malformed " + file + ": " + e.getOriginalMessage().lines().findFirst().orElse(""), e);
    }
    if (p == null || p.nextBatch() < 0 || p.step() < 0 || p.rollbacks() < 0) {
      throw new IOException("malformed " + file + ": " + p);
    }
    return p;
  }

  private void prune(Path latest) throws IOException {
    List<Path> all = new ArrayList<>(committed());
    all.sort(Comparator.comparingLong(p -> {
      try {
        return position(p).nextBatch();
      } catch (IOException e) {
        return -1L;
      }
    }));
    all.remove(latest);
    for (int i = 0; i < all.size() - (keep - 1); i++) {
      Locations.deleteTree(all.get(i));
    }
  }

}
