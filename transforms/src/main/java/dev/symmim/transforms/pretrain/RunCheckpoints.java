package dev.symmim.transforms.pretrain;

import dev.symmim.model.checkpoint.Checkpoint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A run's committed checkpoints: {@link CheckpointStore} on local disk, {@link GcsCheckpointStore}
 * on gs://. Either way the trainer sees local directories (a GCS store keeps a verified local copy
 * of what it committed or restored), so loading and NaN rollbacks are the same code.
 */
public interface RunCheckpoints {
  /** Commits {@code checkpoint} at {@code position}; returns a local directory holding it. */
  Path commit(Checkpoint checkpoint, CheckpointStore.Position position) throws IOException;

  /** The latest committed checkpoint (in a local directory), if any. */
  Optional<CheckpointStore.Committed> latest() throws IOException;

  /** Removes what a killed attempt left behind (uncommitted checkpoints). */
  void removeLeftovers() throws IOException;

  /** Where the checkpoint whose local directory is {@code committed} is committed (a path or gs:// URI). */
  String location(Path committed);
}
