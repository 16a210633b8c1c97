package dev.symmim.model.finetune;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.Assert.assertThrows;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.Test;

public class FineTuneConfigTest {
  @Test
  public void jsonRoundTripIsExact() {
    FineTuneConfig c = FineTuneFixtures.config().pooling(HeadPooling.MEAN_PATCH).dropPath(0.1).layerDecay(0.65)
        .augmentation(0.35, false).channelStats(new float[] {0.2854f}, new float[] {0.3384f}).build();
    FineTuneConfig back = FineTuneConfig.fromJson(c.toJson());
    assertThat(back, equalTo(c));
    assertThat(back.head().pooling(), equalTo(HeadPooling.MEAN_PATCH));
    assertThat(back.channelStd()[0], equalTo(0.3384f));
    assertThat(back.optimization().peakLearningRate(), equalTo(1e-3));
  }

  @Test
  public void missingKeysTakeTheDefaults() {
    FineTuneConfig c = FineTuneFixtures.config().labelSmoothing(0.2).build();
    JsonObject json = JsonParser.parseString(c.toJson()).getAsJsonObject();
    json.getAsJsonObject("regularization").remove("dropPath");
    json.remove("augmentation");
    FineTuneConfig back = FineTuneConfig.fromJson(json.toString());
    assertThat(back.regularization().labelSmoothing(), equalTo(0.2));
    assertThat(back.regularization().dropPath(), equalTo(0.0));
    assertThat(back.augmentation(), equalTo(new FineTuneConfig.Augmentation(0.5, true)));
  }

  @Test
  public void defaultsFollowMethodSection6() {
    FineTuneConfig c = FineTuneConfig.builder(FineTuneFixtures.SPEC, 10).build();
    assertThat(c.optimization().weightDecay(), equalTo(0.05));
    assertThat(c.optimization().beta1(), equalTo(0.9));
    assertThat(c.optimization().beta2(), equalTo(0.999));
    assertThat(c.optimization().layerDecay(), equalTo(0.75));
    assertThat(c.regularization().labelSmoothing(), equalTo(0.1));
    assertThat(c.regularization().dropPath(), equalTo(0.0));
    assertThat(c.head().initStd(), equalTo(2e-5));
    assertThat(c.head().pooling(), equalTo(HeadPooling.CLS));
  }

  @Test
  public void smallDataRecipeIsTheCalibratedOne() {
    FineTuneConfig c = FineTuneConfig.smallDataRecipe(FineTuneFixtures.SPEC, 10, 1500).build();
    assertThat(c.optimization().baseLearningRate(), equalTo(8e-3));
    assertThat(c.optimization().peakLearningRate(), equalTo(2e-3));
    assertThat(c.optimization().warmupSteps(), equalTo(150L));
    assertThat(c.optimization().totalSteps(), equalTo(1500L));
    assertThat(c.augmentation(), equalTo(new FineTuneConfig.Augmentation(0.8, true)));
    assertThat(c.optimization().layerDecay(), equalTo(0.75));
  }

  @Test
  public void validationNamesTheFieldAndTheValue() {
    assertMessage(() -> FineTuneFixtures.config().batchSize(0).build(), "optimization.batchSize", "0");
    assertMessage(() -> FineTuneFixtures.config().layerDecay(1.5).build(), "optimization.layerDecay", "1.5");
    assertMessage(() -> FineTuneFixtures.config().schedule(100, 0).warmupSteps(101).build(),
        "optimization.warmupSteps", "101");
    assertMessage(() -> FineTuneFixtures.config().labelSmoothing(1.0).build(), "regularization.labelSmoothing", "1.0");
    assertMessage(() -> FineTuneFixtures.config().dropPath(-0.1).build(), "regularization.dropPath", "-0.1");
    assertMessage(() -> FineTuneFixtures.config().augmentation(0, true).build(), "augmentation.minScale", "0.0");
    assertMessage(() -> FineTuneFixtures.config().numClasses(1).build(), "head.numClasses", "1");
    assertMessage(() -> FineTuneFixtures.config().channelStats(new float[] {0.5f, 0.5f}, new float[] {0.2f, 0.2f})
        .build(), "channelMean/channelStd", "[0.5, 0.5]");
    assertMessage(() -> FineTuneFixtures.config().threads(-1, 0).build(), "threads", "-1");
  }

  private static void assertMessage(org.junit.function.ThrowingRunnable r, String field, String value) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r);
    assertThat(e.getMessage(), containsString(field));
    assertThat(e.getMessage(), containsString(value));
  }
}
