package dev.symmim.transforms.training;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.symmim.model.checkpoint.Checkpoint;
import dev.symmim.model.checkpoint.NamedTensor;
import dev.symmim.model.checkpoint.TrainingState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class LocalCheckpointStoreTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  static CheckpointStore.Snapshot checkpoint(long step) {
    Map<String, NamedTensor> t = new LinkedHashMap<>();
    t.put("w", new NamedTensor("w", new long[] {2}, new float[] {step, -step}));
    return new Checkpoint(TinyDataset.config(64, 16, 1), new TrainingState(step, 0, step, 42), t)::save;
  }

  @Test
  public void latestIsTheLastCommit() throws Exception {
    CheckpointStore s = new LocalCheckpointStore(tmp.getRoot().toPath(), 3);
    assertTrue(s.latest().isEmpty());
    s.commit(checkpoint(1), new CheckpointStore.Position(1, 1, 0));
    Path two = s.commit(checkpoint(2), new CheckpointStore.Position(2, 2, 0));
    assertEquals(two, s.latest().orElseThrow().dir());
    assertEquals(2, Checkpoint.load(two).state().step());
  }

  @Test
  public void aCheckpointKilledMidWriteNeverBecomesLatest() throws Exception {
    Path root = tmp.getRoot().toPath();
    CheckpointStore s = new LocalCheckpointStore(root, 3);
    Path one = s.commit(checkpoint(1), new CheckpointStore.Position(1, 1, 0));
    // A kill while writing step 2: its temp dir holds the tensors but no position.json yet.
    Path partial = root.resolve(".tmp-step-00000002-1-1");
    checkpoint(2).save(partial);
    assertEquals(one, s.latest().orElseThrow().dir());
    // Even with the LATEST pointer lost, an incomplete step dir is never chosen.
    Files.delete(root.resolve(CheckpointStore.LATEST));
    Files.createDirectories(root.resolve("step-00000003"));
    Files.write(root.resolve("step-00000003/tensors.bin"), new byte[] {1, 2});
    assertEquals(one, s.latest().orElseThrow().dir());
    s.removeLeftovers();
    assertFalse(Files.exists(partial));
  }

  @Test
  public void keepsOnlyTheNewestCheckpoints() throws Exception {
    Path root = tmp.getRoot().toPath();
    CheckpointStore s = new LocalCheckpointStore(root, 2);
    for (int i = 1; i <= 4; i++) {
      s.commit(checkpoint(i), new CheckpointStore.Position(i, i, 0));
    }
    assertFalse(Files.exists(root.resolve("step-00000002")));
    assertTrue(Files.exists(root.resolve("step-00000003")));
    assertTrue(Files.exists(root.resolve("step-00000004")));
  }

  @Test
  public void theSameStepAfterARollbackGetsItsOwnDirectory() throws Exception {
    Path root = tmp.getRoot().toPath();
    CheckpointStore s = new LocalCheckpointStore(root, 3);
    s.commit(checkpoint(4), new CheckpointStore.Position(4, 4, 0));
    Path again = s.commit(checkpoint(4), new CheckpointStore.Position(7, 4, 1));
    assertEquals(root.resolve("step-00000004-b00000007"), again);
    assertEquals(7, s.latest().orElseThrow().position().nextBatch());
  }

  @Test
  public void aDamagedCheckpointIsNeverLoadedAndTheNewestIntactOneIsUsed() throws Exception {
    Path root = tmp.getRoot().toPath();
    new LocalCheckpointStore(root, 3).commit(checkpoint(1), new CheckpointStore.Position(1, 1, 0));
    Path two = new LocalCheckpointStore(root, 3).commit(checkpoint(2), new CheckpointStore.Position(2, 2, 0));
    Path three = new LocalCheckpointStore(root, 3).commit(checkpoint(3), new CheckpointStore.Position(3, 3, 0));
    // A bit flip in the newest, a truncation in the one before: a new store (as after a restart) skips both.
    byte[] b = Files.readAllBytes(three.resolve(Checkpoint.TENSORS_FILE));
    b[b.length - 1] ^= 1;
    Files.write(three.resolve(Checkpoint.TENSORS_FILE), b);
    byte[] t = Files.readAllBytes(two.resolve(Checkpoint.TENSORS_FILE));
    Files.write(two.resolve(Checkpoint.TENSORS_FILE), java.util.Arrays.copyOf(t, t.length - 4));
    assertEquals(1, new LocalCheckpointStore(root, 3).latest().orElseThrow().position().step());
    assertTrue(CheckpointIntegrity.problem(three).orElseThrow().contains("tensors.bin has sha256"));
    assertTrue(CheckpointIntegrity.problem(two).orElseThrow().contains("bytes, checksums.json says"));
    // A missing file is named too.
    Files.delete(three.resolve(Checkpoint.STATE_FILE));
    assertTrue(CheckpointIntegrity.problem(three).orElseThrow().contains("state.json is missing"));
  }

  @Test
  public void aRunDirectoryResolvesToItsNewestIntactCheckpointAndADamagedOneIsRefusedByName() throws Exception {
    Path run = tmp.getRoot().toPath();
    Path root = run.resolve("checkpoints");
    Path one = new LocalCheckpointStore(root, 3).commit(checkpoint(1), new CheckpointStore.Position(1, 1, 0));
    Path two = new LocalCheckpointStore(root, 3).commit(checkpoint(2), new CheckpointStore.Position(2, 2, 0));
    assertEquals(two, Checkpoints.resolve(run.toString()));
    Files.write(two.resolve(Checkpoint.CONFIG_FILE), "{}".getBytes());
    assertEquals(one, Checkpoints.resolve(run.toString()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoints.resolve(two.toString()));
    assertTrue(e.getMessage(), e.getMessage().contains("is damaged: " + two.resolve(Checkpoint.CONFIG_FILE)));
  }
}
