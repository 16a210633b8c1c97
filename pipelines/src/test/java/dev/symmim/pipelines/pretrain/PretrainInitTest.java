package dev.symmim.pipelines.pretrain;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;

import dev.symmim.model.vit.VitSpec;
import dev.symmim.pipelines.cli.Symmim;
import dev.symmim.pipelines.export.TimmFiles;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.pretrain.PretrainRun;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@code symmim pretrain --init=<file.safetensors>} is checked against the encoder the flags ask for before any work. */
public class PretrainInitTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private String data() throws Exception {
    String dir = tmp.newFolder().toString();
    new DatasetManifest(100, 0, 0,
        Map.of("train", new DatasetManifest.Split(100, Map.of(), List.of(
            new DatasetManifest.Shard("train/train-00000-of-00001.avro", 100, 1, "00")))),
        List.of(), 32, 1, "raw", new double[] {0.3}, new double[] {0.3}, null).writeTo(dir);
    return dir;
  }

  private PretrainRun plan(String... flags) throws Exception {
    return PretrainPipeline.plan(Symmim.parse(flags, PretrainOptions.class));
  }

  @Test
  public void aMatchingFileReachesTheRunAndAMismatchNamesTheTensor() throws Exception {
    Path file = TimmFiles.write(tmp.getRoot().toPath().resolve("enc.safetensors"), new VitSpec(32, 4, 1, 32, 2, 2, 4),
        Map.of("num_heads", "2"), t -> { });
    String[] flags = {"--data=" + data(), "--output=" + tmp.getRoot().toPath().resolve("run"), "--dim=32",
        "--depth=2", "--heads=2", "--batchSize=10", "--init=" + file};
    assertEquals(file.toString(), plan(flags).initWeights());
    flags[flags.length - 1] = "--init=";
    assertNull(plan(flags).initWeights());

    flags[4] = "--heads=4";
    flags[flags.length - 1] = "--init=" + file;
    assertThat(assertThrows(IllegalArgumentException.class, () -> plan(flags)).getMessage(),
        containsString("--heads=4: differs from the 2 heads recorded in --init=" + file));
    flags[4] = "--heads=2";
    flags[3] = "--depth=3";
    assertThat(assertThrows(IllegalArgumentException.class, () -> plan(flags)).getMessage(),
        containsString("--init=" + file + ": safetensors file has no tensor blocks.2.norm1.weight (model shape [32])"));
    flags[3] = "--depth=2";
    flags[flags.length - 1] = "--init=" + tmp.getRoot().toPath().resolve("enc.bin");
    assertThat(assertThrows(IllegalArgumentException.class, () -> plan(flags)).getMessage(),
        containsString("must be a .safetensors file"));
  }
}
