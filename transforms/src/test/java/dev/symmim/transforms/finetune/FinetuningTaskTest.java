package dev.symmim.transforms.finetune;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.symmim.model.checkpoint.Checkpoint;
import dev.symmim.model.config.DeviceKind;
import dev.symmim.model.finetune.FineTuneConfig;
import dev.symmim.model.train.SymMimTrainer;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.evaluate.MetricsJson;
import dev.symmim.transforms.io.Locations;
import dev.symmim.transforms.training.EventFiles;
import dev.symmim.transforms.training.GcsEndpoint;
import dev.symmim.transforms.training.LocalCheckpointStore;
import dev.symmim.transforms.training.StepOutcome;
import dev.symmim.transforms.training.TinyDataset;
import dev.symmim.transforms.training.TrainingImages;
import dev.symmim.transforms.training.TrainingLoop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@link FinetuningTask} through the shared loop on a tiny labelled dataset (label = which half the
 * blob is in): it learns, evaluates on val, records its labelled ids, resumes exactly, and starts
 * from a pretraining checkpoint's encoder or at random.
 */
public class FinetuningTaskTest {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();
  static Path data;
  static Path pretrained;

  @BeforeClass
  public static void writeData() throws Exception {
    data = TMP.newFolder("data").toPath();
    TinyDataset.write(data, 96, 64);
    pretrained = TMP.newFolder("pretrained").toPath();
    try (SymMimTrainer t = new SymMimTrainer(TinyDataset.config(96, 16, 1))) {
      t.save(pretrained);
    }
  }

  static final class Counting implements TrainingLoop.Observer {
    final AtomicInteger steps = new AtomicInteger();

    @Override
    public void step(StepOutcome outcome, int images, double seconds) {
      steps.incrementAndGet();
    }

    @Override
    public void rollback() {}

    @Override
    public void checkpoint() {}
  }

  /** A run of {@code epochs} over {@code fraction} of the labels, batch 8, lr 1e-2 (scaled), from the checkpoint or random. */
  static FinetuneRun run(Path runDir, double fraction, int epochs, boolean fromCheckpoint, long every) throws Exception {
    long labelled = Math.round(fraction * 96); // the tiny classes are near-balanced; the task refuses a mismatch
    TrainingImages images = TrainingImages.load(data.toString(), DatasetManifest.readFrom(data.toString()), 0);
    int[] subset = FinetuningTask.labelledSubset(images, 2, new FinetuneRun.LabelSelection(fraction, 0, 5), List.of());
    FineTuneConfig config = FineTuneConfig.builder(TinyDataset.config(96, 16, 1).encoder(), 2)
        .batchSize(8).baseLearningRate(1e-2 * 256 / 8).schedule((long) epochs * (subset.length / 8), 0.1)
        .channelStats(new float[] {0.2f}, new float[] {0.3f}).seed(5).threads(1, 1).device(DeviceKind.CPU).build();
    assertTrue(labelled > 0);
    return new FinetuneRun(data.toString(), runDir.toString(), config.toJson(),
        fromCheckpoint ? pretrained.toString() : null, "online", new FinetuneRun.LabelSelection(fraction, 0, 5), epochs,
        1, every, 0, 1, 3, 3600, 1, 2, "{}", GcsEndpoint.GOOGLE);
  }

  @Test
  public void learnsEvaluatesOnValAndRecordsTheLabelledIds() throws Exception {
    Path runDir = TMP.newFolder().toPath();
    Counting c = new Counting();
    FinetuneResult r = new FinetuningTask(run(runDir, 1.0, 8, true, 0)).run(c);
    assertEquals(8 * (96 / 8), c.steps.get());
    assertEquals(64, r.valQueries());
    assertTrue("val top-1 " + r.top1(), r.top1() > 0.75); // chance is 0.5
    assertEquals(1.0, r.top5(), 0); // two classes
    assertEquals(3, r.history().size()); // epochs 2, 4, 6; after epoch 8 comes the final evaluation
    FinetuneResult written = MetricsJson.read(Files.readAllBytes(runDir.resolve(FinetuningTask.RESULT_FILE)),
        FinetuneResult.class);
    assertEquals(r.top1(), written.top1(), 0);
    assertTrue(written.protocol(), written.protocol().contains("layer decay 0.75"));
    JsonNode runJson = new ObjectMapper().readTree(runDir.resolve(TrainingLoop.RUN_FILE).toFile());
    assertEquals(96, runJson.get("labelledIds").size());
    assertEquals(3, Files.readAllLines(runDir.resolve(FinetuningTask.EVALUATIONS_FILE)).size());
  }

  @Test
  public void writesTensorBoardEventsWithTheLossesAndTheEvaluations() throws Exception {
    Path runDir = TMP.newFolder().toPath();
    FinetuneResult r = new FinetuningTask(run(runDir, 0.25, 4, true, 0)).run(new Counting());
    Map<Long, Map<String, Float>> byStep = EventFiles.scalarsByStep(EventFiles.readAll(runDir));
    EventFiles.assertLossesMatch(runDir.resolve("metrics.jsonl"), byStep);
    JsonNode epoch2 = new ObjectMapper().readTree(Files.readAllLines(runDir.resolve(FinetuningTask.EVALUATIONS_FILE))
        .get(0));
    assertEquals(6, epoch2.get("step").asLong()); // 3 steps per epoch
    assertEquals((float) epoch2.get("top1").asDouble(), byStep.get(6L).get("eval/top1"), 0);
    assertEquals((float) epoch2.get("top5").asDouble(), byStep.get(6L).get("eval/top5"), 0);
    assertEquals((float) r.top1(), byStep.get(12L).get("eval/top1"), 0);
    assertTrue(byStep.get(12L).containsKey("train/top1") && byStep.get(12L).containsKey("lr"));
  }

  @Test
  public void aResumedRunEndsWithTheSameTensorsAsAnUninterruptedOne() throws Exception {
    Path full = TMP.newFolder().toPath();
    Path cut = TMP.newFolder().toPath();
    new FinetuningTask(run(full, 0.5, 4, true, 0)).run(new Counting());
    new FinetuningTask(run(cut, 0.5, 4, true, 7)).run(new Counting());
    // Forget the last checkpoint, as a kill during its commit would: the run resumes at step 21.
    LocalCheckpointStore store = new LocalCheckpointStore(cut.resolve("checkpoints"), 3);
    Locations.deleteTree(store.latest().orElseThrow().dir());
    Files.delete(cut.resolve("checkpoints/LATEST"));
    assertEquals(21, store.latest().orElseThrow().position().nextBatch());
    Counting c = new Counting();
    new FinetuningTask(run(cut, 0.5, 4, true, 7)).run(c);
    assertEquals(24 - 21, c.steps.get());
    assertArrayEquals(Files.readAllBytes(full.resolve("checkpoints/step-00000024").resolve(Checkpoint.TENSORS_FILE)),
        Files.readAllBytes(cut.resolve("checkpoints/step-00000024").resolve(Checkpoint.TENSORS_FILE)));
  }

  @Test
  public void randomInitIsTheSameArchitectureWithOtherWeights() throws Exception {
    Path a = TMP.newFolder().toPath();
    Path b = TMP.newFolder().toPath();
    new FinetuningTask(run(a, 0.25, 1, true, 0)).run(new Counting());
    FinetuneResult scratch = new FinetuningTask(run(b, 0.25, 1, false, 0)).run(new Counting());
    assertTrue(scratch.init(), scratch.init().startsWith("random"));
    assertFalse(java.util.Arrays.equals(
        Files.readAllBytes(a.resolve("checkpoints/step-00000003").resolve(Checkpoint.TENSORS_FILE)),
        Files.readAllBytes(b.resolve("checkpoints/step-00000003").resolve(Checkpoint.TENSORS_FILE))));
  }

  @Test
  public void labelledSubsetsAreBalancedNestedAndInIdOrder() throws Exception {
    TrainingImages images = TrainingImages.load(data.toString(), DatasetManifest.readFrom(data.toString()), 0);
    int[] small = FinetuningTask.labelledSubset(images, 2, new FinetuneRun.LabelSelection(0.25, 0, 3), List.of());
    int[] large = FinetuningTask.labelledSubset(images, 2, new FinetuneRun.LabelSelection(0.5, 0, 3), List.of());
    Set<Integer> inLarge = new HashSet<>();
    for (int i : large) {
      inLarge.add(i);
    }
    for (int i : small) {
      assertTrue("the 25% subset lies inside the 50% subset", inLarge.contains(i));
    }
    int[] perClass = FinetuningTask.labelledSubset(images, 2, new FinetuneRun.LabelSelection(1, 10, 3), List.of());
    assertEquals(20, perClass.length);
    assertEquals(10, java.util.Arrays.stream(perClass).filter(i -> images.label(i) == 0).count());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FinetuningTask.labelledSubset(images, 2, new FinetuneRun.LabelSelection(1, 1000, 3), List.of("top", "bottom")));
    assertTrue(e.getMessage(), e.getMessage().contains("('top')"));
  }
}
