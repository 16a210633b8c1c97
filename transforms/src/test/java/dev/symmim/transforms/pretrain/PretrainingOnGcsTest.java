package dev.symmim.transforms.pretrain;

import dev.symmim.transforms.training.EventFiles;
import dev.symmim.transforms.training.SummaryEvents;
import dev.symmim.transforms.training.TensorBoardLog;
import dev.symmim.transforms.training.TinyDataset;
import dev.symmim.transforms.training.TrainingLoop;
import dev.symmim.transforms.training.StepOutcome;
import dev.symmim.transforms.training.GcsEndpoint;
import dev.symmim.transforms.training.GcsCheckpointStore;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
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
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@link PretrainingLoop} with its run directory on gs:// (the test GCS server): the same parameters
 * as a run on local disk, with and without 10% of the server's calls failing, and an exact resume
 * after a crash that left a checkpoint half-written.
 */
public class PretrainingOnGcsTest {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();
  static Path data;
  static GcsServer server;
  static GcsEndpoint endpoint;
  static Storage storage;
  static byte[] localTensors;

  @BeforeClass
  public static void start() throws Exception {
    data = TMP.newFolder("data").toPath();
    TinyDataset.write(data, 64);
    server = GcsServer.start(0);
    endpoint = new GcsEndpoint(server.host());
    storage = endpoint.connect();
    Path local = TMP.newFolder("local").toPath();
    String last = new PretrainingLoop(TinyRuns.run(data, local, 64, 16, 2, 2, 3, List.of()),
        new PretrainingLoopTest.Counting()).run().finalCheckpoint();
    localTensors = Files.readAllBytes(Path.of(last, Checkpoint.TENSORS_FILE));
  }

  @AfterClass
  public static void stop() throws Exception {
    storage.close();
    server.close();
  }

  static PretrainRun onGcs(String runDir, int stages, long every) {
    PretrainRun r = TinyRuns.run(data, Path.of("unused"), 64, 16, 2, stages, every, List.of());
    return new PretrainRun(r.dataDir(), runDir, r.configJson(), r.epochs(), r.stages(), r.checkpointEverySteps(),
        r.checkpointEveryMinutes(),        r.maxImages(), r.loaderThreads(), r.maxRollbacks(), r.logEverySeconds(), r.metricsEverySteps(),
        r.runInfoJson(), r.faultBatches(), r.bareLoopSteps(), endpoint);
  }

  static byte[] bytes(String object) {
    return storage.readAllBytes(BlobId.of("runs", object));
  }

  static List<Double> losses(String object) throws Exception {
    List<Double> out = new ArrayList<>();
    for (String line : new String(bytes(object), StandardCharsets.UTF_8).split("\n")) {
      out.add(new ObjectMapper().readTree(line).get("loss").asDouble());
    }
    return out;
  }

  @Test
  public void tenPercentOfCallsFailingCommitsEveryCheckpointAndEndsWithTheSameTensors() throws Exception {
    PretrainingLoopTest.Counting clean = new PretrainingLoopTest.Counting();
    PretrainingLoop.Summary a = new PretrainingLoop(onGcs("gs://runs/clean", 2, 3), clean).run();
    assertEquals("gs://runs/clean/checkpoints/step-00000008", a.finalCheckpoint());
    assertArrayEquals("a gs:// run trains exactly as a local one", localTensors,
        bytes("clean/checkpoints/step-00000008/" + Checkpoint.TENSORS_FILE));

    server.injectFaults(0.1, 11);
    PretrainingLoopTest.Counting faulty = new PretrainingLoopTest.Counting();
    PretrainingLoop.Summary b;
    GcsServer.FaultCounts faults;
    try {
      b = new PretrainingLoop(onGcs("gs://runs/faulty", 2, 3), faulty).run();
    } finally {
      faults = server.faultCounts();
      server.injectFaults(0, 0);
    }
    System.out.println("PretrainingOnGcsTest: injected " + faults);
    assertTrue(faults.toString(), faults.unavailable() > 0 && faults.resets() > 0);
    assertEquals(8, faulty.steps.get());
    assertEquals(clean.checkpoints.get(), faulty.checkpoints.get());
    assertEquals("gs://runs/faulty/checkpoints/step-00000008", b.finalCheckpoint());
    assertArrayEquals(localTensors, bytes("faulty/checkpoints/step-00000008/" + Checkpoint.TENSORS_FILE));
    assertEquals("step-00000008\n", new String(bytes("faulty/checkpoints/LATEST"), StandardCharsets.UTF_8));
    assertEquals(losses("clean/metrics.jsonl"), losses("faulty/metrics.jsonl"));
    assertEquals(8, losses("faulty/metrics.jsonl").size());
    assertEquals(new ObjectMapper().readTree(bytes("clean/run.json")).get("config"),
        new ObjectMapper().readTree(bytes("faulty/run.json")).get("config"));
  }

  @Test
  public void eachCommitUploadsTheTensorBoardEventsSinceTheLastAsANewObject() throws Exception {
    PretrainingLoopTest.Counting c = new PretrainingLoopTest.Counting();
    new PretrainingLoop(onGcs("gs://runs/events", 2, 3), c).run();
    Path copy = TMP.newFolder().toPath();
    int objects = 0;
    for (Blob b : storage.list("runs", Storage.BlobListOption.prefix("events/" + TensorBoardLog.FILE_PREFIX))
        .iterateAll()) {
      String name = b.getName().substring("events/".length());
      Files.write(copy.resolve(name), b.getContent());
      assertEquals(SummaryEvents.FILE_VERSION, EventFiles.read(copy.resolve(name)).get(0).fileVersion());
      objects++;
    }
    assertEquals("one object per commit (batches 3, 4, 7, 8)", c.checkpoints.get(), objects);
    assertEquals(4, objects);
    Files.write(copy.resolve("metrics.jsonl"), bytes("events/metrics.jsonl"));
    List<EventFiles.Event> events = EventFiles.readAll(copy);
    assertEquals(8, events.stream().filter(e -> e.scalars() != null).count());
    EventFiles.assertLossesMatch(copy.resolve("metrics.jsonl"), EventFiles.scalarsByStep(events));
  }

  @Test
  public void aRerunResumesFromGcsAtTheExactBatchPastAHalfWrittenCheckpoint() throws Exception {
    PretrainRun run = onGcs("gs://runs/cut", 1, 3);
    new PretrainingLoop(run, new PretrainingLoopTest.Counting()).run();
    byte[] full = bytes("cut/checkpoints/step-00000008/" + Checkpoint.TENSORS_FILE);
    // As if killed while committing step 8: its objects are there, its marker is not, LATEST names step 6.
    assertTrue(storage.delete("runs", "cut/checkpoints/step-00000008/" + GcsCheckpointStore.MARKER));
    storage.create(BlobInfo.newBuilder("runs", "cut/checkpoints/LATEST").build(),
        "step-00000006\n".getBytes(StandardCharsets.UTF_8));
    PretrainingLoopTest.Counting c = new PretrainingLoopTest.Counting();
    PretrainingLoop.Summary s = new PretrainingLoop(run, c).run();
    assertEquals(2, c.steps.get());
    assertEquals("gs://runs/cut/checkpoints/step-00000008", s.finalCheckpoint());
    assertArrayEquals(full, bytes("cut/checkpoints/step-00000008/" + Checkpoint.TENSORS_FILE));
    assertArrayEquals(localTensors, full);
    assertEquals(8, losses("cut/metrics.jsonl").size());
  }
}
