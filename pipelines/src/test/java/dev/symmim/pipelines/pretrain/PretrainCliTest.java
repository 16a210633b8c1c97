package dev.symmim.pipelines.pretrain;

import dev.symmim.pipelines.cli.Symmim;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import dev.symmim.model.config.Augmentation;
import dev.symmim.model.config.ContrastiveHeads;
import dev.symmim.model.config.Losses;
import dev.symmim.model.config.Masking;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.transforms.dataset.DatasetManifest;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@code symmim pretrain} refuses bad flags and bad datasets before any training, naming the cause. */
public class PretrainCliTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private String data(int imageSize) throws Exception {
    String dir = tmp.newFolder().toString();
    new DatasetManifest(100, 0, 0,
        Map.of("train", new DatasetManifest.Split(100, Map.of(), List.of(
            new DatasetManifest.Shard("train/train-00000-of-00001.avro", 100, 1, "00")))),
        List.of(), imageSize, 1, "raw", new double[] {0.3}, new double[] {0.3}, null).writeTo(dir);
    return dir;
  }

  private String badFlag(String... args) {
    return assertThrows(IllegalArgumentException.class, () -> Symmim.run(args)).getMessage();
  }

  private String out() {
    return tmp.getRoot().toPath().resolve("run").toString();
  }

  @Test
  public void missingDataIsNamed() {
    assertThat(badFlag("pretrain", "--output=" + out()), containsString("--data is required"));
  }

  @Test
  public void missingManifestIsNamed() throws Exception {
    assertThat(badFlag("pretrain", "--data=" + tmp.newFolder(), "--output=" + out()),
        containsString("no manifest at"));
  }

  @Test
  public void malformedManifestIsNamed() throws Exception {
    java.nio.file.Path dir = tmp.newFolder().toPath();
    Files.writeString(dir.resolve("manifest.json"), "{\"splits\": [");
    assertThat(badFlag("pretrain", "--data=" + dir, "--output=" + out()), containsString("malformed manifest"));
  }

  @Test
  public void imageSizeNotDivisibleByThePatchIsNamed() throws Exception {
    assertThat(badFlag("pretrain", "--data=" + data(28), "--output=" + out(), "--patchSize=8"),
        containsString("--patchSize=8: does not divide the image size 28"));
  }

  @Test
  public void maskBlockNotDividingTheGridIsNamed() throws Exception {
    assertThat(badFlag("pretrain", "--data=" + data(28), "--output=" + out(), "--patchSize=4"),
        containsString("--maskBlock=2: does not divide the patch grid side 7"));
  }

  @Test
  public void gpuWithoutOneIsNamed() throws Exception {
    org.junit.Assume.assumeTrue(dev.symmim.model.runtime.TorchRuntime.engine().getGpuCount() == 0);
    assertThat(badFlag("pretrain", "--data=" + data(32), "--output=" + out(), "--device=gpu"),
        containsString("--device=gpu: the PyTorch engine reports no GPU"));
  }

  @Test
  public void unknownMaskIsNamed() throws Exception {
    assertThat(badFlag("pretrain", "--data=" + data(32), "--output=" + out(), "--mask=checker"),
        containsString("--mask=checker: must be one of symmetric, random, block"));
  }

  @Test
  public void moreStagesThanEpochsIsNamed() throws Exception {
    assertThat(badFlag("pretrain", "--data=" + data(32), "--output=" + out(), "--epochs=2", "--stages=3"),
        containsString("--stages=3: must be in [1, --epochs=2]"));
  }

  @Test
  public void badLossAndAugmentationFlagsAreNamed() throws Exception {
    String d = data(32);
    assertThat(badFlag("pretrain", "--data=" + d, "--output=" + out(), "--contrastiveTemperature=-0.1"),
        containsString("--contrastiveTemperature=-0.1: must be > 0"));
    assertThat(badFlag("pretrain", "--data=" + d, "--output=" + out(), "--temperature=-0.1"), // deprecated alias
        containsString("--contrastiveTemperature=-0.1: must be > 0"));
    assertThat(badFlag("pretrain", "--data=" + d, "--output=" + out(), "--batchSize=0"),
        containsString("--batchSize=0: must be >= 2"));
    assertThat(badFlag("pretrain", "--data=" + d, "--output=" + out(), "--view2MinScale=1.5"),
        containsString("--view2MinScale=1.5: must be in (0, 1]"));
    assertThat(badFlag("pretrain", "--data=" + d, "--output=" + out(), "--epochs=4", "--warmupEpochs=5"),
        containsString("--warmupEpochs=5.0: must be -1 (METHOD.md rule) or in [0, --epochs=4]"));
  }

  @Test
  public void lossScheduleAndAugmentationFlagsReachTheRunConfig() throws Exception {
    String d = data(32);
    PretrainConfig c = PretrainConfig.fromJson(PretrainPipeline.plan(Symmim.parse(new String[] {"--data=" + d,
        "--output=" + out(), "--batchSize=20", "--epochs=4", "--warmupEpochs=0.5", "--contrastiveTemperature=0.1",
        "--contrastiveWeight=3", "--momentum=0.98", "--view1MinScale=0.4", "--view2MinScale=0.3"},
        PretrainOptions.class)).configJson());
    assertEquals(20, c.schedule().totalSteps()); // 100 images / 20 = 5 steps per epoch
    assertEquals(3, c.schedule().warmupSteps()); // 0.5 epochs = 2.5 steps, rounded
    assertEquals(0.1, c.losses().temperature(), 0);
    assertEquals(3.0, c.losses().contrastiveWeight(), 0);
    assertEquals(0.98, c.schedule().momentumStart(), 0);
    assertEquals(0.4, c.augmentation().view1MinScale(), 0);
    assertEquals(0.3, c.augmentation().view2MinScale(), 0);
    PretrainConfig rule = PretrainConfig.fromJson(PretrainPipeline.plan(Symmim.parse(new String[] {"--data=" + d,
        "--output=" + out(), "--batchSize=20", "--epochs=4"}, PretrainOptions.class)).configJson());
    assertEquals(10, rule.schedule().warmupSteps()); // METHOD.md: 10 epochs, at most half the run
  }

  private PretrainConfig planned(String... flags) throws Exception {
    String[] args = new String[flags.length + 2];
    args[0] = "--data=" + data(32);
    args[1] = "--output=" + out();
    System.arraycopy(flags, 0, args, 2, flags.length);
    return PretrainConfig.fromJson(PretrainPipeline.plan(Symmim.parse(args, PretrainOptions.class)).configJson());
  }

  @Test
  public void recipeFlagsDefaultToMethodMd() throws Exception {
    PretrainConfig c = planned();
    assertEquals(Augmentation.View2.STRONG, c.augmentation().view2());
    assertEquals(Masking.TeacherMask.BLOCK, c.masking().teacherMask());
    assertEquals(Losses.ContrastiveInput.MASKED, c.losses().contrastiveInput());
    assertEquals(ContrastiveHeads.Token.CLS, c.heads().token());
  }

  @Test
  public void view2FlagReachesTheRunConfig() throws Exception {
    assertEquals(Augmentation.View2.LIGHT, planned("--view2=light").augmentation().view2());
  }

  @Test
  public void teacherMaskFlagReachesTheRunConfig() throws Exception {
    assertEquals(Masking.TeacherMask.NONE, planned("--teacherMask=none").masking().teacherMask());
  }

  @Test
  public void contrastiveInputFlagReachesTheRunConfig() throws Exception {
    assertEquals(Losses.ContrastiveInput.CLEAN, planned("--contrastiveInput=clean").losses().contrastiveInput());
  }

  @Test
  public void contrastiveTokenFlagReachesTheRunConfig() throws Exception {
    assertEquals(ContrastiveHeads.Token.MEAN, planned("--contrastiveToken=mean").heads().token());
    assertEquals(ContrastiveHeads.Token.CLS_MEAN, planned("--contrastiveToken=clsmean").heads().token());
  }

  @Test
  public void badView2IsNamed() throws Exception {
    assertThat(badFlag("pretrain", "--data=" + data(32), "--output=" + out(), "--view2=medium"),
        containsString("--view2=medium: must be one of strong, light"));
  }

  @Test
  public void badTeacherMaskIsNamed() throws Exception {
    assertThat(badFlag("pretrain", "--data=" + data(32), "--output=" + out(), "--teacherMask=random"),
        containsString("--teacherMask=random: must be one of block, none"));
  }

  @Test
  public void badContrastiveInputIsNamed() throws Exception {
    assertThat(badFlag("pretrain", "--data=" + data(32), "--output=" + out(), "--contrastiveInput=unmasked"),
        containsString("--contrastiveInput=unmasked: must be one of masked, clean"));
  }

  @Test
  public void badContrastiveTokenIsNamed() throws Exception {
    assertThat(badFlag("pretrain", "--data=" + data(32), "--output=" + out(), "--contrastiveToken=max"),
        containsString("--contrastiveToken=max: must be one of cls, mean, clsmean"));
  }
}
