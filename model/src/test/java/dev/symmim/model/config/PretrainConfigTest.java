package dev.symmim.model.config;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.Assert.assertThrows;

import dev.symmim.model.masking.MaskKind;
import dev.symmim.model.masking.Parity;
import dev.symmim.model.vit.VitSpec;
import org.junit.Test;

public class PretrainConfigTest {
  @Test
  public void jsonRoundTripIsExactForEveryPreset() {
    for (PretrainConfig c : new PretrainConfig[] {PretrainConfig.tiny(), PretrainConfig.small(), PretrainConfig.base(),
        PretrainConfig.large(), PretrainConfig.tiny().withMasking(Masking.symmetric().withKind(MaskKind.BLOCKS))
            .withRun(new RunSettings(42, Precision.BF16, DeviceKind.CPU, 2, 1))
            .withNormalization(new Normalization(new float[] {0.1f, 0.2f, 0.3f}, new float[] {1f, 2f, 3f}))}) {
      PretrainConfig back = PretrainConfig.fromJson(c.toJson());
      assertThat(back, equalTo(c));
      assertThat(back.toJson(), equalTo(c.toJson()));
    }
  }

  @Test
  public void presetsHaveTheMethodDefaults() {
    PretrainConfig b = PretrainConfig.base();
    assertThat(b.encoder(), equalTo(new VitSpec(224, 16, 3, 768, 12, 12, 4)));
    assertThat(b.losses().temperature(), equalTo(0.2));
    assertThat(b.losses().contrastiveWeight(), equalTo(1.0));
    assertThat(b.optimisation().weightDecay(), equalTo(0.05));
    assertThat(b.optimisation().beta2(), equalTo(0.95));
    assertThat(b.optimisation().gradientClip(), equalTo(5.0));
    assertThat(b.schedule().momentumStart(), equalTo(0.99));
    assertThat(b.masking().kind(), equalTo(MaskKind.SYMMETRIC));
    assertThat(b.masking().parity(), equalTo(Parity.FIXED));
    assertThat(b.optimisation().peakLearningRate(), equalTo(1.5e-4));
  }

  @Test
  public void jsonWithoutAGroupIsRefusedNamingIt() {
    String json = PretrainConfig.tiny().toJson().replace("\"losses\"", "\"lossesX\"");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PretrainConfig.fromJson(json));
    assertThat(e.getMessage(), containsString("no 'losses' group"));
  }

  @Test
  public void anInvalidValueInJsonIsRefusedNamingTheField() {
    String json = PretrainConfig.tiny().toJson().replace("\"temperature\": 0.2", "\"temperature\": 0.0");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PretrainConfig.fromJson(json));
    assertThat(e.getMessage(), containsString("temperature must be > 0, got 0.0"));
  }

  @Test
  public void maskBlockThatDoesNotDivideTheGridIsRejectedNamingTheField() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PretrainConfig.tiny().withEncoder(VitSpec.Size.TINY.spec(28, 4, 1)));
    assertThat(e.getMessage(), containsString("maskBlock (k of M2) 2 does not divide the patch grid 7x7"));
  }

  @Test
  public void imageNotDivisibleByPatchIsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PretrainConfig.of(new VitSpec(30, 4, 3, 192, 12, 3, 4)));
    assertThat(e.getMessage(), containsString("imageSize 30 must be a positive multiple of patchSize 4"));
  }

  @Test
  public void channelStatsMustMatchChannels() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PretrainConfig.tiny().withNormalization(new Normalization(new float[] {0.5f}, new float[] {0.2f})));
    assertThat(e.getMessage(), containsString("channelMean/channelStd need 3 values"));
  }

  @Test
  public void epochScheduleFollowsTheWarmupRule() {
    Schedule short100 = Schedule.epochs(100, 50);
    assertThat(short100.totalSteps(), equalTo(5000L));
    assertThat(short100.warmupSteps(), equalTo(500L));
    assertThat(Schedule.epochs(800, 10).warmupSteps(), equalTo(400L));
    assertThat(Schedule.epochs(4, 10).warmupSteps(), equalTo(20L));
  }

  @Test
  public void jsonRoundTripKeepsEveryRecipeOption() {
    PretrainConfig c = PretrainConfig.tiny()
        .withMasking(Masking.symmetric().withParity(Parity.RANDOM).withTeacherMask(Masking.TeacherMask.NONE))
        .withLosses(Losses.defaults().withContrastiveInput(Losses.ContrastiveInput.CLEAN))
        .withHeads(PretrainConfig.tiny().heads().withToken(ContrastiveHeads.Token.CLS_MEAN))
        .withAugmentation(new Augmentation(0.5, 0.4, Augmentation.View2.LIGHT));
    PretrainConfig back = PretrainConfig.fromJson(c.toJson());
    assertThat(back, equalTo(c));
    assertThat(back.toJson(), equalTo(c.toJson()));
    assertThat(c.toJson(), containsString("\"teacherMask\": \"NONE\""));
    assertThat(c.toJson(), containsString("\"contrastiveInput\": \"CLEAN\""));
    assertThat(c.toJson(), containsString("\"token\": \"CLS_MEAN\""));
    assertThat(c.toJson(), containsString("\"view2\": \"LIGHT\""));
  }

  @Test
  public void configJsonWrittenBeforeTheRecipeOptionsReadsAsTheDefaults() {
    PretrainConfig c = PretrainConfig.tiny();
    String old = c.toJson().replaceAll(",\\s*\"(teacherMask|contrastiveInput|token|view2)\": \"[A-Z_]+\"", "");
    assertThat(old.contains("teacherMask") || old.contains("contrastiveInput") || old.contains("\"token\"")
        || old.contains("\"view2\""), equalTo(false));
    assertThat(PretrainConfig.fromJson(old), equalTo(c));
  }

  @Test
  public void recipeDefaultsAreMethodMd() {
    PretrainConfig b = PretrainConfig.base();
    assertThat(b.masking().teacherMask(), equalTo(Masking.TeacherMask.BLOCK));
    assertThat(b.losses().contrastiveInput(), equalTo(Losses.ContrastiveInput.MASKED));
    assertThat(b.heads().token(), equalTo(ContrastiveHeads.Token.CLS));
    assertThat(b.augmentation().view2(), equalTo(Augmentation.View2.STRONG));
    assertThat(b.heads().projectorIn(768), equalTo(768));
    assertThat(b.heads().withToken(ContrastiveHeads.Token.CLS_MEAN).projectorIn(768), equalTo(1536));
  }

  @Test
  public void anUnknownRecipeValueInJsonIsRefusedNotReadAsTheDefault() {
    String json = PretrainConfig.tiny().toJson().replace("\"view2\": \"STRONG\"", "\"view2\": \"MEDIUM\"");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PretrainConfig.fromJson(json));
    assertThat(e.getMessage(), containsString("View2 must be one of [STRONG, LIGHT], got 'MEDIUM'"));
  }
}
