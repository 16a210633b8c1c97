package dev.symmim.transforms.pretrain;

import dev.symmim.transforms.training.LocalCheckpointStore;
import dev.symmim.transforms.training.TinyDataset;
import dev.symmim.transforms.training.TrainingLoop;
import dev.symmim.transforms.training.StepOutcome;
import dev.symmim.transforms.training.GcsEndpoint;
import dev.symmim.transforms.training.GcsCheckpointStore;
import dev.symmim.transforms.io.Locations;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.symmim.model.checkpoint.Checkpoint;
import dev.symmim.model.train.StepResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class PretrainingLoopTest {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();
  static Path data;

  @BeforeClass
  public static void writeData() throws Exception {
    data = TMP.newFolder("data").toPath();
    TinyDataset.write(data, 64);
  }

  static final class Counting implements TrainingLoop.Observer {
    final AtomicInteger steps = new AtomicInteger();
    final AtomicInteger rollbacks = new AtomicInteger();
    final AtomicInteger checkpoints = new AtomicInteger();

    @Override
    public void step(StepOutcome result, int images, double seconds) {
      steps.incrementAndGet();
    }

    @Override
    public void rollback() {
      rollbacks.incrementAndGet();
    }

    @Override
    public void checkpoint() {
      checkpoints.incrementAndGet();
    }
  }

  @Test
  public void commitsByTimeAsWellAsBySteps() throws Exception {
    PretrainRun r = TinyRuns.run(data, TMP.newFolder().toPath(), 64, 16, 2, 1, 0, List.of());
    // every 1e-9 minutes: each step is past due, so each commits (stages and steps alone would give one)
    PretrainRun timed = new PretrainRun(r.dataDir(), r.runDir(), r.configJson(), r.epochs(), r.stages(), 0, 1e-9,
        r.maxImages(), r.loaderThreads(), r.maxRollbacks(), r.logEverySeconds(), r.metricsEverySteps(),
        r.runInfoJson(), r.faultBatches(), r.bareLoopSteps(), r.gcsEndpoint());
    Counting c = new Counting();
    PretrainingLoop.Summary s = new PretrainingLoop(timed, c).run();
    assertEquals(8, s.steps());
    assertEquals(8, c.checkpoints.get());
    Counting untimed = new Counting();
    new PretrainingLoop(TinyRuns.run(data, TMP.newFolder().toPath(), 64, 16, 2, 1, 0, List.of()), untimed).run();
    assertEquals(1, untimed.checkpoints.get());
  }

  @Test
  public void trainsInStagesWithCheckpointsMetricsAndRunRecord() throws Exception {
    Path runDir = TMP.newFolder().toPath();
    Counting c = new Counting();
    PretrainingLoop.Summary s = new PretrainingLoop(TinyRuns.run(data, runDir, 64, 16, 3, 3, 0, List.of()), c).run();
    assertEquals(12, s.steps());
    assertEquals(12, c.steps.get());
    assertEquals(3, c.checkpoints.get());
    assertEquals(runDir.resolve("checkpoints/step-00000012").toString(), s.finalCheckpoint());
    assertEquals(12, Checkpoint.load(Path.of(s.finalCheckpoint())).state().step());
    List<String> lines = Files.readAllLines(runDir.resolve("metrics.jsonl"));
    assertEquals(12, lines.size());
    JsonNode last = new ObjectMapper().readTree(lines.get(11));
    assertEquals(11, last.get("batch").asLong());
    assertTrue(last.get("loss").isNumber() && last.has("mimLoss") && last.has("conLoss") && last.has("lr"));
    JsonNode run = new ObjectMapper().readTree(runDir.resolve("run.json").toFile());
    assertEquals(64, run.get("manifestSha256").asText().length());
    assertEquals(3, run.get("config").get("run").get("seed").asInt());
  }

  @Test
  public void rerunOfAFinishedRunTrainsNothingAndKeepsItsParameters() throws Exception {
    Path runDir = TMP.newFolder().toPath();
    PretrainRun run = TinyRuns.run(data, runDir, 64, 16, 1, 1, 0, List.of());
    Path first = Path.of(new PretrainingLoop(run, new Counting()).run().finalCheckpoint());
    byte[] before = Files.readAllBytes(first.resolve(Checkpoint.TENSORS_FILE));
    Counting c = new Counting();
    PretrainingLoop.Summary again = new PretrainingLoop(run, c).run();
    assertEquals(0, c.steps.get());
    assertArrayEquals(before, Files.readAllBytes(Path.of(again.finalCheckpoint()).resolve(Checkpoint.TENSORS_FILE)));
  }

  @Test
  public void resumingFromAnIntermediateCheckpointGivesIdenticalParameters() throws Exception {
    Path full = TMP.newFolder().toPath();
    Path cut = TMP.newFolder().toPath();
    Path a = Path.of(new PretrainingLoop(TinyRuns.run(data, full, 64, 16, 2, 1, 0, List.of()), new Counting()).run()
        .finalCheckpoint());
    // Same run, checkpoints every 3 steps; then forget everything after step 3 as a crash would.
    PretrainRun run = TinyRuns.run(data, cut, 64, 16, 2, 1, 3, List.of());
    new PretrainingLoop(run, new Counting()).run();
    LocalCheckpointStore store = new LocalCheckpointStore(cut.resolve("checkpoints"), 3);
    Path keep = cut.resolve("checkpoints/step-00000006");
    assertTrue(Files.exists(keep));
    Files.writeString(cut.resolve("checkpoints/LATEST"), "step-00000006\n");
    Locations.deleteTree(cut.resolve("checkpoints/step-00000008"));
    assertEquals(6, store.latest().orElseThrow().position().nextBatch());
    Counting c = new Counting();
    Path b = Path.of(new PretrainingLoop(run, c).run().finalCheckpoint());
    assertEquals(2, c.steps.get());
    assertArrayEquals(Files.readAllBytes(a.resolve(Checkpoint.TENSORS_FILE)),
        Files.readAllBytes(b.resolve(Checkpoint.TENSORS_FILE)));
    assertEquals(8, Files.readAllLines(cut.resolve("metrics.jsonl")).size());
  }

  @Test
  public void overheadBenchmarkInterleavesBareBlocksWithoutChangingTheRun() throws Exception {
    Path plain = TMP.newFolder().toPath();
    Path benched = TMP.newFolder().toPath();
    Path a = Path.of(new PretrainingLoop(TinyRuns.run(data, plain, 64, 16, 2, 1, 0, List.of()), new Counting()).run()
        .finalCheckpoint());
    Counting c = new Counting();
    PretrainingLoop.Summary s =
        new PretrainingLoop(TinyRuns.run(data, benched, 64, 16, 2, 1, 0, List.of(), 12), c).run();
    assertEquals(8, c.steps.get());
    assertTrue(String.valueOf(s.bareImagesPerSecond()), s.bareImagesPerSecond() > 0);
    assertTrue(s.imagesPerSecond() > 0);
    assertArrayEquals(Files.readAllBytes(a.resolve(Checkpoint.TENSORS_FILE)),
        Files.readAllBytes(Path.of(s.finalCheckpoint()).resolve(Checkpoint.TENSORS_FILE)));
    assertTrue(Double.isNaN(new PretrainingLoop(TinyRuns.run(data, TMP.newFolder().toPath(), 64, 16, 1, 1, 0,
        List.of()), new Counting()).run().bareImagesPerSecond()));
  }

  @Test
  public void nonFiniteLossRollsBackAndContinuesWithTheNextBatch() throws Exception {
    Path runDir = TMP.newFolder().toPath();
    Counting c = new Counting();
    PretrainingLoop.Summary s =
        new PretrainingLoop(TinyRuns.run(data, runDir, 64, 16, 2, 2, 0, List.of(5L)), c).run();
    assertEquals(1, s.rollbacks());
    assertEquals(1, c.rollbacks.get());
    // Rolled back to the stage-1 checkpoint (step 4): batch 4 is lost with the bad batch 5; 6 and 7 train.
    assertEquals(6, s.steps());
    assertEquals(8, s.batches());
    List<String> lines = Files.readAllLines(runDir.resolve("metrics.jsonl"));
    assertTrue(lines.get(5), lines.get(5).contains("\"refused\":true"));
  }

  @Test
  public void stopsWithAClearErrorAfterTooManyRollbacks() throws Exception {
    Path runDir = TMP.newFolder().toPath();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> new PretrainingLoop(
        TinyRuns.run(data, runDir, 64, 16, 2, 1, 0, List.of(1L, 2L, 3L, 4L)), new Counting()).run());
    assertTrue(e.getMessage(), e.getMessage().contains("4 rollbacks exceed the limit of 3"));
  }

  @Test
  public void refusesAShardWhoseHashDiffersFromTheManifest() throws Exception {
    Path bad = TMP.newFolder().toPath();
    TinyDataset.write(bad, 32);
    Path shard = bad.resolve("train/train-00000-of-00001.avro");
    byte[] b = Files.readAllBytes(shard);
    b[b.length - 5] ^= 1;
    Files.write(shard, b);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PretrainingLoop(
        TinyRuns.run(bad, TMP.newFolder().toPath(), 32, 16, 1, 1, 0, List.of()), new Counting()).run());
    assertTrue(e.getMessage(), e.getMessage().contains("sha256") && e.getMessage().contains("re-run prepare"));
    assertFalse(e.getMessage().isEmpty());
  }
}
