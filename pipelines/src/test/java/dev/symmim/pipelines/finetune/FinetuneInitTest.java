package dev.symmim.pipelines.finetune;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import dev.symmim.model.checkpoint.NamedTensor;
import dev.symmim.model.finetune.FineTuneConfig;
import dev.symmim.model.vit.VitSpec;
import dev.symmim.pipelines.cli.Symmim;
import dev.symmim.pipelines.export.TimmFiles;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.finetune.FinetuneRun;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code symmim finetune --init=<file.safetensors>}: the architecture comes from the file (heads and
 * normalisation from its metadata, else --heads and the dataset's), and every refusal names the
 * flag, or the tensor and both shapes, before any training.
 */
public class FinetuneInitTest {
  static final VitSpec SPEC = new VitSpec(32, 4, 1, 32, 2, 2, 4);
  static final Map<String, String> META = Map.of("num_heads", "2", "mean", "[0.25]", "std", "[0.5]");
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  /** 100 labelled train images of 32 px, 1 channel, mean/std 0.3, and 20 val; no shard is read while planning. */
  private String data() throws Exception {
    String dir = tmp.newFolder().toString();
    new DatasetManifest(120, 0, 0, Map.of(
        "train", new DatasetManifest.Split(100, Map.of("shirt", 60L, "shoe", 40L), List.of(
            new DatasetManifest.Shard("train/train-00000-of-00001.avro", 100, 1, "00"))),
        "val", new DatasetManifest.Split(20, Map.of(), List.of(
            new DatasetManifest.Shard("val/val-00000-of-00001.avro", 20, 1, "00")))),
        List.of("shirt", "shoe"), 32, 1, "raw", new double[] {0.3}, new double[] {0.3}, null).writeTo(dir);
    return dir;
  }

  private FinetuneRun plan(String... flags) throws Exception {
    return FinetunePipeline.plan(Symmim.parse(flags, FinetuneOptions.class));
  }

  private String refused(String... flags) {
    return assertThrows(IllegalArgumentException.class, () -> plan(flags)).getMessage();
  }

  private String out() {
    return tmp.getRoot().toPath().resolve("ft").toString();
  }

  @Test
  public void theArchitectureAndNormalisationComeFromTheFile() throws Exception {
    Path file = TimmFiles.write(tmp.getRoot().toPath().resolve("enc.safetensors"), SPEC, META, t -> { });
    FinetuneRun run = plan("--data=" + data(), "--output=" + out(), "--init=" + file, "--batchSize=10");
    FineTuneConfig c = FineTuneConfig.fromJson(run.configJson());
    assertEquals(SPEC, c.encoder());
    assertArrayEquals(new float[] {0.25f}, c.channelMean(), 0f);
    assertArrayEquals(new float[] {0.5f}, c.channelStd(), 0f);
    assertEquals(file.toString(), run.pretrained());

    Path bare = TimmFiles.write(tmp.getRoot().toPath().resolve("timm.safetensors"), SPEC, Map.of(), t -> { });
    FinetuneRun withHeads = plan("--data=" + data(), "--output=" + out(), "--init=" + bare, "--heads=2",
        "--batchSize=10");
    FineTuneConfig d = FineTuneConfig.fromJson(withHeads.configJson());
    assertEquals(SPEC, d.encoder());
    assertArrayEquals("no metadata: the dataset's statistics", new float[] {0.3f}, d.channelMean(), 0f);
  }

  @Test
  public void badInitValuesAndContradictingFlagsAreNamed() throws Exception {
    String d = "--data=" + data();
    assertThat(refused(d, "--output=" + out(), "--init=weights.pt"),
        containsString("--init=weights.pt: must be checkpoint, random or a path to a .safetensors file"));
    Path file = TimmFiles.write(tmp.getRoot().toPath().resolve("enc.safetensors"), SPEC, META, t -> { });
    assertThat(refused(d, "--output=" + out(), "--init=" + file, "--checkpoint=/some/run"),
        containsString("--checkpoint=/some/run: cannot be combined with --init=" + file));
    assertThat(refused(d, "--output=" + out(), "--init=" + file, "--depth=3"),
        containsString("--depth=3: contradicts --init=" + file + " (depth 2)"));
    Path bare = TimmFiles.write(tmp.getRoot().toPath().resolve("timm.safetensors"), SPEC, Map.of(), t -> { });
    assertThat(refused(d, "--output=" + out(), "--init=" + bare),
        containsString("--heads=0: is needed: --init=" + bare + " records no num_heads"));
    Path missing = tmp.getRoot().toPath().resolve("nope.safetensors");
    assertThat(refused(d, "--output=" + out(), "--init=" + missing),
        containsString("--init=" + missing + ": " + missing + " does not exist"));
  }

  @Test
  public void aTensorOfAnotherShapeIsNamedWithBothShapes() throws Exception {
    Path file = TimmFiles.write(tmp.getRoot().toPath().resolve("enc.safetensors"), SPEC, META,
        t -> t.put("blocks.1.mlp.fc2.weight", new NamedTensor("blocks.1.mlp.fc2.weight", new long[] {32, 64},
            new float[32 * 64])));
    assertThat(refused("--data=" + data(), "--output=" + out(), "--init=" + file),
        containsString("--init=" + file + ": blocks.1.mlp.fc2.weight: file shape [32, 64] != model shape [32, 128]"));
    Path noNorm = TimmFiles.write(tmp.getRoot().toPath().resolve("nonorm.safetensors"), SPEC, META,
        t -> t.remove("norm.bias"));
    assertThat(refused("--data=" + data(), "--output=" + out(), "--init=" + noNorm),
        containsString("safetensors file has no tensor norm.bias (model shape [32])"));
  }
}
