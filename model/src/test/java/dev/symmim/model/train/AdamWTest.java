package dev.symmim.model.train;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.equalTo;

import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.symmim.model.random.SeededRandom;
import dev.symmim.model.vit.Linear;
import dev.symmim.model.vit.Parameter;
import dev.symmim.model.vit.ParameterBuffer;
import dev.symmim.model.vit.ParameterFactory;
import dev.symmim.model.vit.StepContext;
import java.util.List;
import org.junit.Test;

public class AdamWTest {
  @Test
  public void matchesTorchAdamWFormulaAndSkipsDecayOnBiases() {
    try (NDManager m = NDManager.newBaseManager()) {
      Linear layer = new Linear(new ParameterFactory(m, new SeededRandom(1), true), 3, 2, true);
      List<Parameter> params = layer.parameters();
      assertThat(params.get(0).decay(), equalTo(true));
      assertThat(params.get(1).decay(), equalTo(false));
      ParameterBuffer buffer = ParameterBuffer.pack(params, m, true);
      AdamW adam = new AdamW(buffer, m.newSubManager(), 0.9, 0.95, 1e-8, 0.05);
      float[] w0 = params.get(0).array().toFloatArray();
      float[] b0 = params.get(1).array().toFloatArray();
      float[] gw = {0.1f, -0.2f, 0.3f, 0.4f, -0.5f, 0.6f};
      float[] gb = {1f, -2f};
      double lr = 0.01;
      for (int t = 1; t <= 2; t++) {
        try (StepContext ctx = new StepContext(m, DataType.FLOAT32)) {
          float[] flat = new float[8];
          System.arraycopy(gw, 0, flat, 0, 6);
          System.arraycopy(gb, 0, flat, 6, 2);
          adam.update(ctx, ctx.create(flat, new Shape(8)), lr, 0.5);
        }
      }
      float[] w = params.get(0).array().toFloatArray();
      float[] b = params.get(1).array().toFloatArray();
      for (int i = 0; i < w.length; i++) {
        assertThat((double) w[i], closeTo(reference(w0[i], gw[i] * 0.5, lr, 0.05), 1e-6));
      }
      for (int i = 0; i < b.length; i++) {
        assertThat((double) b[i], closeTo(reference(b0[i], gb[i] * 0.5, lr, 0.0), 1e-6));
      }
    }
  }

  /** Two torch.optim.AdamW steps with the same gradient. */
  private static double reference(double p, double g, double lr, double wd) {
    double m = 0;
    double v = 0;
    for (int t = 1; t <= 2; t++) {
      p *= 1 - lr * wd;
      m = 0.9 * m + 0.1 * g;
      v = 0.95 * v + 0.05 * g * g;
      double denom = Math.sqrt(v) / Math.sqrt(1 - Math.pow(0.95, t)) + 1e-8;
      p -= lr / (1 - Math.pow(0.9, t)) * m / denom;
    }
    return p;
  }

  @Test
  public void noDecayOnNormsAndTokens() {
    try (SymMimTrainer trainer = new SymMimTrainer(TinyRuns.config())) {
      for (Parameter p : trainer.model().trainable()) {
        boolean shouldDecay = p.name().endsWith(".weight") && !p.name().contains("norm") && !p.name().contains(".bn");
        assertThat(p.name(), p.decay(), equalTo(shouldDecay));
      }
    }
  }
}
