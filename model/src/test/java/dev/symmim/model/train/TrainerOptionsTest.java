package dev.symmim.model.train;

import dev.symmim.model.config.Normalization;
import dev.symmim.model.config.Losses;
import dev.symmim.model.config.Masking;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.model.loss.ReconstructionLoss;
import dev.symmim.model.masking.MaskKind;
import org.junit.Test;

/** Every mask kind, loss option and input form runs through the same training step. */
public class TrainerOptionsTest {
  private static final float[] V1 = TinyRuns.images(8, 16, 3, 1);
  private static final float[] V2 = TinyRuns.images(8, 16, 3, 2);

  private static StepResult twoSteps(PretrainConfig config) {
    try (SymMimTrainer trainer = new SymMimTrainer(config)) {
      trainer.step(V1, V2);
      return trainer.step(V1, V2);
    }
  }

  @Test
  public void baselineMaskKindsAndNormPixLossTrain() {
    for (MaskKind kind : MaskKind.values()) {
      for (ReconstructionLoss loss : ReconstructionLoss.values()) {
        StepResult r = twoSteps(TinyRuns.config().withMasking(Masking.symmetric().withKind(kind))
            .withLosses(new Losses(loss, 0.2, 1.0, false)));
        assertThat(kind + "/" + loss, r.refused(), equalTo(false));
        assertThat(kind + "/" + loss, r.mimLoss() > 0 && Double.isFinite(r.loss()), equalTo(true));
      }
    }
  }

  @Test
  public void symmetrizedContrastSumsTwoDirections() {
    StepResult one = twoSteps(TinyRuns.config());
    StepResult both = twoSteps(TinyRuns.config().withLosses(new Losses(ReconstructionLoss.L1, 0.2, 1.0, true)));
    assertThat(both.refused(), equalTo(false));
    assertThat(both.conLoss(), greaterThan(1.5 * one.conLoss()));
  }

  @Test
  public void zeroContrastiveWeightLeavesOnlyTheReconstructionLoss() {
    StepResult r = twoSteps(TinyRuns.config().withLosses(new Losses(ReconstructionLoss.L1, 0.2, 0, false)));
    assertThat(r.loss(), equalTo(r.mimLoss()));
  }

  @Test
  public void ndarrayInputGivesTheSameStepAsFloatArrays() {
    PretrainConfig config = TinyRuns.config();
    StepResult fromFloats;
    try (SymMimTrainer trainer = new SymMimTrainer(config)) {
      fromFloats = trainer.step(V1, V2);
    }
    try (SymMimTrainer trainer = new SymMimTrainer(config);
        NDManager m = NDManager.newBaseManager()) {
      NDArray a = m.create(V1, new Shape(8, 16, 16, 3));
      NDArray b = m.create(V2, new Shape(8, 16, 16, 3));
      assertThat(trainer.step(a, b), equalTo(fromFloats));
      assertThat(a.toFloatArray(), equalTo(V1));
    }
  }

  @Test
  public void grayscaleUint8ImagesThroughTheAugmentationsIntoAStep() {
    PretrainConfig config = TinyRuns.config()
        .withEncoder(new dev.symmim.model.vit.VitSpec(16, 4, 1, 32, 2, 2, 4))
        .withNormalization(new Normalization(new float[] {0.29f}, new float[] {0.35f}));
    byte[][] images = new byte[8][28 * 28];
    for (int b = 0; b < images.length; b++) {
      for (int i = 0; i < images[b].length; i++) {
        images[b][i] = (byte) ((i * (b + 3)) % 256);
      }
    }
    dev.symmim.model.augment.SymMimViews views = dev.symmim.model.augment.SymMimViews.of(config);
    float[][] v = views.batch(images, 28, 28, 1, 7, 0, new long[] {0, 1, 2, 3, 4, 5, 6, 7});
    try (SymMimTrainer trainer = new SymMimTrainer(config)) {
      StepResult r = trainer.step(v[0], v[1]);
      assertThat(r.refused(), equalTo(false));
      assertThat(Double.isFinite(r.loss()), equalTo(true));
    }
  }
}
