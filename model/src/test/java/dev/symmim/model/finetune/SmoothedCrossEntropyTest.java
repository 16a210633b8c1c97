package dev.symmim.model.finetune;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.symmim.model.vit.StepContext;
import org.junit.Test;

public class SmoothedCrossEntropyTest {
  @Test
  public void matchesAHandComputation() {
    // Row 0: logits (2, 1, 0), label 0; row 1: (0, 0, 3), label 1; smoothing 0.1, K = 3.
    // log-sum-exp row 0 = ln(e^2 + e + 1) = 2.40760596; row 1 = ln(2 + e^3) = 3.09492169.
    // -log p: row 0 (0.40760596, 1.40760596, 2.40760596); row 1 (3.09492169, 3.09492169, 0.09492169).
    // loss_i = 0.9 * nll_y + 0.1 * mean_k(-log p_k):
    //   row 0 = 0.9 * 0.40760596 + 0.1 * 1.40760596 = 0.50760596
    //   row 1 = 0.9 * 3.09492169 + 0.1 * 2.09492169 = 2.99492169; mean = 1.75126383.
    try (NDManager m = NDManager.newBaseManager(); StepContext ctx = new StepContext(m, DataType.FLOAT32)) {
      float[] logits = {2, 1, 0, 0, 0, 3};
      double loss = SmoothedCrossEntropy.loss(ctx, ctx.create(logits, new Shape(2, 3)), new int[] {0, 1}, 0.1)
          .getFloat();
      assertThat(loss, closeTo(1.75126383, 1e-6));
      double plain = SmoothedCrossEntropy.loss(ctx, ctx.create(logits, new Shape(2, 3)), new int[] {0, 1}, 0)
          .getFloat();
      assertThat(plain, closeTo((0.40760596 + 3.09492169) / 2, 1e-6));
    }
  }
}
