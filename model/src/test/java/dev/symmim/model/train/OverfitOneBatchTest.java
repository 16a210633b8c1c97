package dev.symmim.model.train;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.lessThan;

import dev.symmim.model.config.PretrainConfig;
import org.junit.Test;

public class OverfitOneBatchTest {
  @Test
  public void lossFallsByHalfIn100StepsOnOneBatch() {
    PretrainConfig config = TinyRuns.config();
    float[] v1 = TinyRuns.images(8, 16, 3, 1);
    float[] v2 = TinyRuns.images(8, 16, 3, 2);
    try (SymMimTrainer trainer = new SymMimTrainer(config)) {
      StepResult first = trainer.step(v1, v2);
      StepResult last = first;
      for (int i = 1; i < 100; i++) {
        last = trainer.step(v1, v2);
        if (i % 20 == 0) {
          System.out.println(last);
        }
      }
      System.out.println("first " + first + "\nlast " + last);
      assertThat(last.loss(), lessThan(0.5 * first.loss()));
    }
  }
}
