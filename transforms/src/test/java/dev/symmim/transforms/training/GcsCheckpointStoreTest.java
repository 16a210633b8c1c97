package dev.symmim.transforms.training;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import dev.symmim.model.checkpoint.Checkpoint;
import dev.symmim.testing.gcs.GcsServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@link GcsCheckpointStore} against the test GCS server, with the real google-cloud-storage client. */
public class GcsCheckpointStoreTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();
  private static final String ROOT = "gs://runs/r1/checkpoints";

  private GcsServer server;
  private Storage storage;

  @Before
  public void start() throws Exception {
    server = GcsServer.start(0);
    storage = new GcsEndpoint(server.host()).connect();
  }

  @After
  public void stop() throws Exception {
    storage.close();
    server.close();
  }

  private GcsCheckpointStore store(int keep) throws Exception {
    return new GcsCheckpointStore(storage, ROOT, tmp.newFolder().toPath(), keep);
  }

  private List<String> objects() {
    List<String> names = new ArrayList<>();
    for (Blob b : storage.list("runs").iterateAll()) {
      names.add(b.getName());
    }
    return names;
  }

  private String text(String object) {
    return new String(storage.readAllBytes(BlobId.of("runs", object)), StandardCharsets.UTF_8);
  }

  @Test
  public void commitsWithAMarkerListingEveryObjectThenSwapsLatest() throws Exception {
    GcsCheckpointStore s = store(3);
    assertTrue(s.latest().isEmpty());
    s.commit(LocalCheckpointStoreTest.checkpoint(1), new CheckpointStore.Position(1, 1, 0));
    Path two = s.commit(LocalCheckpointStoreTest.checkpoint(2), new CheckpointStore.Position(2, 2, 0));
    assertEquals("gs://runs/r1/checkpoints/step-00000002", s.location(two));
    assertEquals("step-00000002\n", text("r1/checkpoints/LATEST"));
    GcsCheckpointStore.Marker m = new ObjectMapper().readValue(text("r1/checkpoints/step-00000002/COMMITTED"),
        GcsCheckpointStore.Marker.class);
    assertEquals(new CheckpointStore.Position(2, 2, 0), m.position());
    List<String> files = m.objects().stream().map(GcsCheckpointStore.Part::file).toList();
    assertEquals(List.of(CheckpointIntegrity.FILE, Checkpoint.CONFIG_FILE, CheckpointStore.POSITION_FILE, Checkpoint.STATE_FILE,
        Checkpoint.TENSORS_FILE), files);
    for (GcsCheckpointStore.Part p : m.objects()) {
      Blob b = storage.get("runs", "r1/checkpoints/step-00000002/" + p.file());
      assertEquals(p.generation(), (long) b.getGeneration());
      assertEquals(p.crc32c(), b.getCrc32c());
      assertArrayEquals(Files.readAllBytes(two.resolve(p.file())), storage.readAllBytes(b.getBlobId()));
    }
  }

  @Test
  public void anotherProcessRestoresTheLatestCheckpointFromGcs() throws Exception {
    Path committed = store(3).commit(LocalCheckpointStoreTest.checkpoint(5), new CheckpointStore.Position(9, 5, 1));
    CheckpointStore.Committed restored = store(3).latest().orElseThrow();
    assertEquals(new CheckpointStore.Position(9, 5, 1), restored.position());
    assertFalse(restored.dir().equals(committed));
    for (String f : List.of(Checkpoint.CONFIG_FILE, Checkpoint.STATE_FILE, Checkpoint.TENSORS_FILE)) {
      assertArrayEquals(f, Files.readAllBytes(committed.resolve(f)), Files.readAllBytes(restored.dir().resolve(f)));
    }
    assertEquals(5, Checkpoint.load(restored.dir()).state().step());
  }

  @Test
  public void aCheckpointWithoutItsMarkerIsNeverLatestAndIsCleanedUp() throws Exception {
    GcsCheckpointStore s = store(3);
    s.commit(LocalCheckpointStoreTest.checkpoint(1), new CheckpointStore.Position(1, 1, 0));
    // A process killed after uploading step 2's objects, before its marker (and LATEST).
    for (String f : List.of(Checkpoint.TENSORS_FILE, Checkpoint.CONFIG_FILE)) {
      storage.create(BlobInfo.newBuilder("runs", "r1/checkpoints/step-00000002/" + f).build(), new byte[] {1, 2, 3},
          Storage.BlobTargetOption.doesNotExist());
    }
    // Even without LATEST, only the marked step counts.
    storage.delete("runs", "r1/checkpoints/LATEST");
    GcsCheckpointStore fresh = store(3);
    assertEquals(1, fresh.latest().orElseThrow().position().nextBatch());
    fresh.removeLeftovers();
    assertTrue(objects().stream().noneMatch(n -> n.contains("step-00000002")));
    // The step can be committed again: its objects are created anew (ifGenerationMatch=0).
    fresh.commit(LocalCheckpointStoreTest.checkpoint(2), new CheckpointStore.Position(2, 2, 0));
    CheckpointStore.Committed latest = store(3).latest().orElseThrow();
    assertEquals(2, latest.position().nextBatch());
    assertEquals(2, Checkpoint.load(latest.dir()).state().step());
  }

  @Test
  public void keepsTheNewestCommittedCheckpointsAndNamesARepeatedStepByItsBatch() throws Exception {
    GcsCheckpointStore s = store(2);
    for (int i = 1; i <= 4; i++) {
      s.commit(LocalCheckpointStoreTest.checkpoint(i), new CheckpointStore.Position(i, i, 0));
    }
    // Same step again after a NaN rollback: a later data position.
    Path again = s.commit(LocalCheckpointStoreTest.checkpoint(4), new CheckpointStore.Position(7, 4, 1));
    assertEquals("step-00000004-b00000007", again.getFileName().toString());
    TreeSet<String> dirs = new TreeSet<>();
    for (String n : objects()) {
      if (!n.endsWith("LATEST")) {
        dirs.add(n.substring("r1/checkpoints/".length(), n.lastIndexOf('/')));
      }
    }
    assertEquals(new TreeSet<>(List.of("step-00000004", "step-00000004-b00000007")), dirs);
    assertEquals("step-00000004-b00000007\n", text("r1/checkpoints/LATEST"));
    assertEquals(7, store(2).latest().orElseThrow().position().nextBatch());
  }

  @Test
  public void aCorruptedObjectFailsTheRestoreInsteadOfLoading() throws Exception {
    store(3).commit(LocalCheckpointStoreTest.checkpoint(3), new CheckpointStore.Position(3, 3, 0));
    // Replaced behind the store's back: the marker's generation is gone.
    storage.create(BlobInfo.newBuilder("runs", "r1/checkpoints/step-00000003/" + Checkpoint.TENSORS_FILE).build(),
        new byte[] {9});
    java.io.IOException e = org.junit.Assert.assertThrows(java.io.IOException.class, () -> store(3).latest());
    assertTrue(e.getMessage(), e.getMessage().contains("tensors.bin"));
  }

  @Test
  public void runFilesArePublishedAndFetched() throws Exception {
    try (RunDirectory dir = RunDirectory.open("gs://runs/r2", new GcsEndpoint(server.host()), "test")) {
      Files.writeString(dir.local().resolve("metrics.jsonl"), "{\"batch\":0}\n");
      dir.publish("metrics.jsonl");
      Files.writeString(dir.local().resolve("metrics.jsonl"), "{\"batch\":0}\n{\"batch\":1}\n");
      dir.publish("metrics.jsonl");
      assertEquals("{\"batch\":0}\n{\"batch\":1}\n", text("r2/metrics.jsonl"));
    }
    Path local;
    try (RunDirectory dir = RunDirectory.open("gs://runs/r2", new GcsEndpoint(server.host()), "test")) {
      local = dir.local();
      dir.fetch("metrics.jsonl");
      assertEquals("{\"batch\":0}\n{\"batch\":1}\n", Files.readString(local.resolve("metrics.jsonl")));
      dir.fetch("run.json");
      assertFalse(Files.exists(local.resolve("run.json")));
    }
    assertFalse("the local working copy is deleted on close", Files.exists(local));
    assertNull(storage.get("runs", "r2/run.json"));
    assertNotNull(storage.get("runs", "r2/metrics.jsonl"));
  }
}
