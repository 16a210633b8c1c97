package dev.symmim.transforms.training;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A run's committed checkpoints: {@link LocalCheckpointStore} on local disk, {@link GcsCheckpointStore}
 * on gs://. Either way the trainer sees local directories (a GCS store keeps a verified local copy of
 * what it committed or restored), so loading and NaN rollbacks are the same code. A checkpoint is
 * committed whole or not at all: a process killed at any point leaves the previous one as the latest.
 */
public interface CheckpointStore {
  /** The file naming the latest committed checkpoint. */
  String LATEST = "LATEST";
  /** The file of a committed checkpoint that records its {@link Position}, written last. */
  String POSITION_FILE = "position.json";

  /** Where training stands at a checkpoint: the next batch to train on, the applied steps and the NaN rollbacks so far. */
  record Position(long nextBatch, long step, int rollbacks) {}

  /** A committed checkpoint, in a local directory. */
  record Committed(Path dir, Position position) {}

  /** Something a store can write into a directory: a trainer's full state. */
  interface Snapshot {
    void save(Path dir) throws IOException;
  }

  /** Commits {@code snapshot} at {@code position}; returns a local directory holding it. */
  Path commit(Snapshot snapshot, Position position) throws IOException;

  /** The latest committed checkpoint (in a local directory), if any. */
  Optional<Committed> latest() throws IOException;

  /** Removes what a killed attempt left behind (uncommitted checkpoints). */
  void removeLeftovers() throws IOException;

  /** Where the checkpoint whose local directory is {@code committed} is committed (a path or gs:// URI). */
  String location(Path committed);
}
