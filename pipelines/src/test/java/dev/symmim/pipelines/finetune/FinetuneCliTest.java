package dev.symmim.pipelines.finetune;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import dev.symmim.model.finetune.FineTuneConfig;
import dev.symmim.pipelines.cli.Symmim;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.finetune.FinetuneRun;
import java.util.List;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@code symmim finetune} refuses bad flags and unusable datasets before any training, naming the cause. */
public class FinetuneCliTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  /** A manifest of 100 train (60 of class 'shirt', 40 'shoe') and 20 val images; no shard is read while planning. */
  private String data(List<String> classes) throws Exception {
    String dir = tmp.newFolder().toString();
    Map<String, Long> counts = classes.isEmpty() ? Map.of() : Map.of("shirt", 60L, "shoe", 40L);
    new DatasetManifest(120, 0, 0, Map.of(
        "train", new DatasetManifest.Split(100, counts, List.of(
            new DatasetManifest.Shard("train/train-00000-of-00001.avro", 100, 1, "00"))),
        "val", new DatasetManifest.Split(20, Map.of(), List.of(
            new DatasetManifest.Shard("val/val-00000-of-00001.avro", 20, 1, "00")))),
        classes, 32, 1, "raw", new double[] {0.3}, new double[] {0.3}, null).writeTo(dir);
    return dir;
  }

  private String badFlag(String... args) {
    return assertThrows(IllegalArgumentException.class, () -> Symmim.run(args)).getMessage();
  }

  private String out() {
    return tmp.getRoot().toPath().resolve("ft").toString();
  }

  @Test
  public void missingFlagsAndBadValuesAreNamed() throws Exception {
    String d = "--data=" + data(List.of("shirt", "shoe"));
    assertThat(badFlag("finetune", "--output=" + out()), containsString("--data is required"));
    assertThat(badFlag("finetune", d, "--output=" + out()), containsString("--checkpoint is required"));
    assertThat(badFlag("finetune", d, "--output=" + out(), "--init=random", "--labelFraction=0"),
        containsString("--labelFraction=0.0: must be in (0, 1]"));
    assertThat(badFlag("finetune", d, "--output=" + out(), "--init=random", "--layerDecay=1.5"),
        containsString("--layerDecay=1.5: must be in (0, 1]"));
    assertThat(badFlag("finetune", d, "--output=" + out(), "--init=pretrained"),
        containsString("--init=pretrained: must be checkpoint, random or a path to a .safetensors file"));
  }

  @Test
  public void aSelectionThatLeavesAClassShortIsNamed() throws Exception {
    String d = "--data=" + data(List.of("shirt", "shoe"));
    assertThat(badFlag("finetune", d, "--output=" + out(), "--init=random", "--labelsPerClass=50"),
        containsString("--labelsPerClass=50: exceeds the 40 train examples of class 'shoe'"));
    assertThat(badFlag("finetune", d, "--output=" + out(), "--init=random", "--labelFraction=0.1", "--batchSize=64"),
        containsString("--batchSize=64: exceeds the 10 labelled train images"));
  }

  @Test
  public void aDatasetWithoutLabelsIsRefused() throws Exception {
    assertThat(badFlag("finetune", "--data=" + data(List.of()), "--output=" + out(), "--init=random"),
        containsString("has no labels"));
  }

  @Test
  public void theRecipeReachesTheRunConfig() throws Exception {
    FinetuneRun run = FinetunePipeline.plan(Symmim.parse(new String[] {"--data=" + data(List.of("shirt", "shoe")),
        "--output=" + out(), "--init=random", "--dim=32", "--depth=2", "--heads=2", "--labelFraction=0.5",
        "--batchSize=10", "--epochs=3", "--lr=2e-3", "--layerDecay=0.65", "--seed=4"}, FinetuneOptions.class));
    FineTuneConfig c = FineTuneConfig.fromJson(run.configJson());
    assertEquals(15, c.optimization().totalSteps()); // 30 + 20 labels = 50, 5 steps per epoch
    assertEquals(0.65, c.optimization().layerDecay(), 0);
    assertEquals(2, c.head().numClasses());
    assertEquals(32, c.encoder().dim());
    assertEquals(null, run.pretrained());
    assertEquals(4, run.labels().seed());
  }
}
