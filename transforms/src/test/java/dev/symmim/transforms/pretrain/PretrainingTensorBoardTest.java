package dev.symmim.transforms.pretrain;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.symmim.transforms.io.Locations;
import dev.symmim.transforms.training.EventFiles;
import dev.symmim.transforms.training.SummaryEvents;
import dev.symmim.transforms.training.TinyDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The TensorBoard event files of a pretraining run, read back with Beam's CRC-checking TFRecord
 * reader: the file version first, a session start, then the scalars of every logged step, equal
 * to metrics.jsonl's; after a resume or a NaN rollback, what TensorBoard shows (a session start
 * drops the steps logged after the checkpoint) is again metrics.jsonl's history.
 */
public class PretrainingTensorBoardTest {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();
  static Path data;

  @BeforeClass
  public static void writeData() throws Exception {
    data = TMP.newFolder("data").toPath();
    TinyDataset.write(data, 64);
  }

  @Test
  public void eachLoggedStepIsAnEventWithMetricsJsonlsStepAndScalars() throws Exception {
    Path runDir = TMP.newFolder().toPath();
    new PretrainingLoop(TinyRuns.run(data, runDir, 64, 16, 2, 1, 3, List.of()), new PretrainingLoopTest.Counting()).run();
    List<Path> files = EventFiles.in(runDir);
    assertEquals(1, files.size());
    assertTrue(files.get(0).getFileName().toString(), files.get(0).getFileName().toString()
        .matches("events\\.out\\.tfevents\\.\\d{10}\\.[A-Za-z0-9._-]+"));
    List<EventFiles.Event> events = EventFiles.read(files.get(0));
    assertEquals(SummaryEvents.FILE_VERSION, events.get(0).fileVersion());
    assertEquals(Long.valueOf(1), events.get(1).sessionStatus()); // START
    assertEquals(1, events.get(1).step());
    assertEquals(2 + 8, events.size());
    Map<Long, Map<String, Float>> byStep = EventFiles.scalarsByStep(events);
    EventFiles.assertLossesMatch(runDir.resolve("metrics.jsonl"), byStep);
    JsonNode last = new ObjectMapper().readTree(Files.readAllLines(runDir.resolve("metrics.jsonl")).get(7));
    Map<String, Float> s = byStep.get(8L);
    assertEquals((float) last.get("mimLoss").asDouble(), s.get("loss/mim"), 0);
    assertEquals((float) last.get("conLoss").asDouble(), s.get("loss/con"), 0);
    assertEquals((float) last.get("lr").asDouble(), s.get("lr"), 0);
    assertEquals((float) last.get("momentum").asDouble(), s.get("momentum"), 0);
    assertEquals((float) last.get("imagesPerSecond").asDouble(), s.get("throughput/img_per_s"), 0);
    assertNull("batch and step are the event's position, not scalars", s.get("batch"));
    assertTrue(events.get(9).wallTime() >= events.get(2).wallTime());
  }

  @Test
  public void aResumedRunAddsAFileWhoseSessionStartDropsTheStepsAfterItsCheckpoint() throws Exception {
    Path runDir = TMP.newFolder().toPath();
    PretrainRun run = TinyRuns.run(data, runDir, 64, 16, 2, 1, 3, List.of());
    new PretrainingLoop(run, new PretrainingLoopTest.Counting()).run();
    // As if killed during the commit of step 8: the run resumes from step 6; the first file keeps steps 7 and 8.
    Files.writeString(runDir.resolve("checkpoints/LATEST"), "step-00000006\n");
    Locations.deleteTree(runDir.resolve("checkpoints/step-00000008"));
    new PretrainingLoop(run, new PretrainingLoopTest.Counting()).run();
    List<Path> files = EventFiles.in(runDir);
    assertEquals(2, files.size());
    List<EventFiles.Event> resumed = EventFiles.read(files.get(1));
    assertEquals(SummaryEvents.FILE_VERSION, resumed.get(0).fileVersion());
    assertEquals(Long.valueOf(1), resumed.get(1).sessionStatus());
    assertEquals(7, resumed.get(1).step());
    assertEquals(List.of(7L, 8L), List.copyOf(EventFiles.scalarsByStep(resumed).keySet()));
    EventFiles.assertLossesMatch(runDir.resolve("metrics.jsonl"), EventFiles.scalarsByStep(EventFiles.readAll(runDir)));
  }

  @Test
  public void aNanRollbackStartsASessionAtTheRestoredStepAndSkipsTheRefusedStep() throws Exception {
    Path runDir = TMP.newFolder().toPath();
    new PretrainingLoop(TinyRuns.run(data, runDir, 64, 16, 2, 2, 0, List.of(5L)), new PretrainingLoopTest.Counting())
        .run();
    List<EventFiles.Event> events = EventFiles.readAll(runDir);
    // Batches 0-4 were steps 1-5; batch 5 is refused and rolls back to the stage-1 checkpoint (step 4).
    EventFiles.Event restart = events.get(2 + 5);
    assertEquals(Long.valueOf(1), restart.sessionStatus());
    assertEquals(5, restart.step());
    assertEquals(2 + 5 + 1 + 2, events.size());
    EventFiles.assertLossesMatch(runDir.resolve("metrics.jsonl"), EventFiles.scalarsByStep(events));
  }
}
