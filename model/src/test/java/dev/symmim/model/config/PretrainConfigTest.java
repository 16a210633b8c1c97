package dev.symmim.model.config;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.Assert.assertThrows;

import dev.symmim.model.masking.MaskKind;
import dev.symmim.model.vit.VitSpec;
import org.junit.Test;

public class PretrainConfigTest {
  @Test
  public void jsonRoundTripIsExactForEveryPreset() {
    for (PretrainConfig c : new PretrainConfig[] {PretrainConfig.tiny(), PretrainConfig.small(), PretrainConfig.base(),
        PretrainConfig.large(), PretrainConfig.tiny().toBuilder().maskKind(MaskKind.BLOCKS).seed(42)
            .precision(Precision.BF16).channelStats(new float[] {0.1f, 0.2f, 0.3f}, new float[] {1f, 2f, 3f})
            .build()}) {
      PretrainConfig back = PretrainConfig.fromJson(c.toJson());
      assertThat(back, equalTo(c));
      assertThat(back.toJson(), equalTo(c.toJson()));
    }
  }

  @Test
  public void presetsHaveTheMethodDefaults() {
    PretrainConfig b = PretrainConfig.base();
    assertThat(b.encoder(), equalTo(new VitSpec(224, 16, 3, 768, 12, 12, 4)));
    assertThat(b.temperature(), equalTo(0.2));
    assertThat(b.contrastiveWeight(), equalTo(1.0));
    assertThat(b.weightDecay(), equalTo(0.05));
    assertThat(b.beta2(), equalTo(0.95));
    assertThat(b.gradientClip(), equalTo(5.0));
    assertThat(b.momentumStart(), equalTo(0.99));
    assertThat(b.maskKind(), equalTo(MaskKind.SYMMETRIC));
    assertThat(b.peakLearningRate(), equalTo(1.5e-4));
  }

  @Test
  public void missingJsonFieldsTakeDefaults() {
    PretrainConfig c = PretrainConfig.fromJson("{\"batchSize\": 64, \"dim\": 384, \"heads\": 6}");
    assertThat(c.batchSize(), equalTo(64));
    assertThat(c.encoder().dim(), equalTo(384));
    assertThat(c.temperature(), equalTo(0.2));
  }

  @Test
  public void maskBlockThatDoesNotDivideTheGridIsRejectedNamingTheField() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PretrainConfig.tiny().toBuilder().encoder(VitSpec.Size.TINY.spec(28, 4, 1)).build());
    assertThat(e.getMessage(), containsString("maskBlock (k of M2) 2 does not divide the patch grid 7x7"));
  }

  @Test
  public void imageNotDivisibleByPatchIsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PretrainConfig.builder().encoder(new VitSpec(30, 4, 3, 192, 12, 3, 4)).build());
    assertThat(e.getMessage(), containsString("imageSize 30 must be a positive multiple of patchSize 4"));
  }

  @Test
  public void channelStatsMustMatchChannels() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PretrainConfig.tiny().toBuilder().channelStats(new float[] {0.5f}, new float[] {0.2f}).build());
    assertThat(e.getMessage(), containsString("channelMean/channelStd need 3 values"));
  }

  @Test
  public void epochScheduleFollowsTheWarmupRule() {
    PretrainConfig short100 = PretrainConfig.tiny().toBuilder().epochs(100, 50).build();
    assertThat(short100.totalSteps(), equalTo(5000L));
    assertThat(short100.warmupSteps(), equalTo(500L));
    PretrainConfig long800 = PretrainConfig.tiny().toBuilder().epochs(800, 10).build();
    assertThat(long800.warmupSteps(), equalTo(400L));
    PretrainConfig tiny4 = PretrainConfig.tiny().toBuilder().epochs(4, 10).build();
    assertThat(tiny4.warmupSteps(), equalTo(20L));
  }
}
