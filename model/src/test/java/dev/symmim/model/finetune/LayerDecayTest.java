package dev.symmim.model.finetune;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.equalTo;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.symmim.model.random.SeededRandom;
import dev.symmim.model.train.AdamW;
import dev.symmim.model.vit.Linear;
import dev.symmim.model.vit.Parameter;
import dev.symmim.model.vit.ParameterBuffer;
import dev.symmim.model.vit.ParameterFactory;
import dev.symmim.model.vit.StepContext;
import java.util.List;
import org.junit.Test;

public class LayerDecayTest {
  @Test
  public void depthTwoScalesAreBeitsParamGroups() {
    // L = 2, decay 0.75: embeddings 0.75^3, block 0 0.75^2, block 1 0.75, final norm / head 1.
    assertThat(LayerDecay.scale("encoder.patch_embed.weight", 2, 0.75), equalTo(0.421875));
    assertThat(LayerDecay.scale("encoder.cls_token", 2, 0.75), equalTo(0.421875));
    assertThat(LayerDecay.scale("encoder.mask_token", 2, 0.75), equalTo(0.421875));
    assertThat(LayerDecay.scale("encoder.blocks.0.attn.qkv.weight", 2, 0.75), equalTo(0.5625));
    assertThat(LayerDecay.scale("encoder.blocks.1.mlp.fc2.bias", 2, 0.75), equalTo(0.75));
    assertThat(LayerDecay.scale("encoder.norm.weight", 2, 0.75), equalTo(1.0));
    assertThat(LayerDecay.scale("fc_norm.bias", 2, 0.75), equalTo(1.0));
    assertThat(LayerDecay.scale("head.weight", 2, 0.75), equalTo(1.0));
  }

  @Test
  public void trainerScalesAreAlignedWithTheParameterBuffer() {
    FineTuneConfig config = FineTuneFixtures.config().pooling(HeadPooling.MEAN_PATCH).build();
    try (FineTuneTrainer trainer = FineTuneTrainer.fromScratch(config)) {
      float[] scales = trainer.learningRateScales();
      int offset = 0;
      for (Parameter p : trainer.classifier().parameters()) {
        float expected = (float) LayerDecay.scale(p.name(), 2, 0.75);
        for (int i = 0; i < p.size(); i++) {
          assertThat(p.name(), scales[offset + i], equalTo(expected));
        }
        offset += (int) p.size();
      }
      assertThat(offset, equalTo(scales.length));
    }
  }

  @Test
  public void adamWMovesEachElementWithItsScaledLearningRate() {
    try (NDManager m = NDManager.newBaseManager()) {
      Linear layer = new Linear(new ParameterFactory(m, new SeededRandom(1), true), 2, 2, true);
      List<Parameter> params = layer.parameters();
      ParameterBuffer buffer = ParameterBuffer.pack(params, m, true);
      float[] scale = {1f, 0.5f, 0.25f, 0.75f, 0.5f, 2f};
      AdamW adam = new AdamW(buffer, m.newSubManager(), 0.9, 0.999, 1e-8, 0.05, scale);
      float[] w0 = buffer.flat().toFloatArray();
      float[] g = {0.1f, -0.2f, 0.3f, 0.4f, -0.5f, 0.6f};
      double lr = 0.01;
      for (int t = 1; t <= 2; t++) {
        try (StepContext ctx = new StepContext(m, DataType.FLOAT32)) {
          adam.update(ctx, ctx.create(g, new Shape(6)), lr, 1.0);
        }
      }
      float[] w = buffer.flat().toFloatArray();
      for (int i = 0; i < 6; i++) {
        double wd = i < 4 ? 0.05 : 0.0; // weight decays, bias does not
        assertThat("element " + i, (double) w[i], closeTo(reference(w0[i], g[i], lr * scale[i], wd), 1e-6));
      }
    }
  }

  /** Two torch.optim.AdamW steps (betas 0.9/0.999) in a param group of learning rate {@code lr}. */
  private static double reference(double p, double g, double lr, double wd) {
    double m = 0;
    double v = 0;
    for (int t = 1; t <= 2; t++) {
      p *= 1 - lr * wd;
      m = 0.9 * m + 0.1 * g;
      v = 0.999 * v + 0.001 * g * g;
      double denom = Math.sqrt(v) / Math.sqrt(1 - Math.pow(0.999, t)) + 1e-8;
      p -= lr / (1 - Math.pow(0.9, t)) * m / denom;
    }
    return p;
  }
}
