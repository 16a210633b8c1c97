package dev.symmim.model.loss;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.symmim.model.vit.StepContext;
import org.junit.Test;

public class LossTest {
  @Test
  public void infoNceOnOrthonormalPairsMatchesTheClosedForm() {
    double tau = 0.2;
    try (NDManager m = NDManager.newBaseManager();
        StepContext ctx = new StepContext(m, DataType.FLOAT32)) {
      NDArray q = ctx.create(new float[] {3, 0, 0, 2}, new Shape(2, 2)); // norms differ: normalization matters
      NDArray k = ctx.create(new float[] {1, 0, 0, 5}, new Shape(2, 2));
      double expected = 2 * tau * Math.log(1 + Math.exp(-1 / tau));
      assertThat((double) InfoNce.loss(ctx, q, k, tau).getFloat(), closeTo(expected, 1e-6));
    }
  }

  @Test
  public void l1AveragesOverMaskedPixelsOnly() {
    try (NDManager m = NDManager.newBaseManager();
        StepContext ctx = new StepContext(m, DataType.FLOAT32)) {
      NDArray prediction = ctx.manager().zeros(new Shape(1, 2, 3));
      NDArray target = ctx.create(new float[] {1, 1, 1, 5, 5, 5}, new Shape(1, 2, 3));
      NDArray mask = ctx.create(new float[] {1, 0}, new Shape(1, 2, 1));
      assertThat((double) ReconstructionLoss.L1.compute(ctx, prediction, target, mask, 1).getFloat(), closeTo(1, 1e-6));
    }
  }

  @Test
  public void normPixMseIsZeroForThePerPatchNormalizedTarget() {
    try (NDManager m = NDManager.newBaseManager();
        StepContext ctx = new StepContext(m, DataType.FLOAT32)) {
      float[] t = {1, 2, 3, 4};
      double mean = 2.5;
      double std = Math.sqrt((1.5 * 1.5 * 2 + 0.5 * 0.5 * 2) / 3 + 1e-6); // unbiased variance, as MAE
      float[] normalized = new float[4];
      for (int i = 0; i < 4; i++) {
        normalized[i] = (float) ((t[i] - mean) / std);
      }
      NDArray loss = ReconstructionLoss.NORM_PIX_MSE.compute(ctx, ctx.create(normalized, new Shape(1, 1, 4)),
          ctx.create(t, new Shape(1, 1, 4)), ctx.manager().ones(new Shape(1, 1, 1)), 1);
      assertThat((double) loss.getFloat(), closeTo(0, 1e-10));
    }
  }
}
