package dev.symmim.model.train;

import dev.symmim.model.config.Masking;
import dev.symmim.model.checkpoint.Checkpoint;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.model.masking.Parity;
import org.junit.Test;

public class DeterminismTest {
  @Test
  public void twoRunsWithTheSameSeedAndThreadsAreBitwiseIdentical() {
    PretrainConfig config = TinyRuns.config().withMasking(Masking.symmetric().withParity(Parity.RANDOM));
    Checkpoint first = run(config);
    Checkpoint second = run(config);
    CheckpointRoundTripTest.assertSameState(second, first);
  }

  private static Checkpoint run(PretrainConfig config) {
    float[] v1 = TinyRuns.images(8, 16, 3, 1);
    float[] v2 = TinyRuns.images(8, 16, 3, 2);
    try (SymMimTrainer trainer = new SymMimTrainer(config)) {
      for (int i = 0; i < 5; i++) {
        trainer.step(v1, v2);
      }
      return trainer.checkpoint();
    }
  }
}
