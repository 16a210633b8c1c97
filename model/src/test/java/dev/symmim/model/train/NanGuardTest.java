package dev.symmim.model.train;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.symmim.model.checkpoint.Checkpoint;
import org.junit.Test;

public class NanGuardTest {
  @Test
  public void injectedNanIsRefusedAndLeavesEveryTensorUntouched() {
    float[] v1 = TinyRuns.images(8, 16, 3, 1);
    float[] v2 = TinyRuns.images(8, 16, 3, 2);
    try (SymMimTrainer trainer = new SymMimTrainer(TinyRuns.config())) {
      trainer.step(v1, v2);
      trainer.step(v1, v2);
      Checkpoint before = trainer.checkpoint();
      float[] poisoned = v1.clone();
      poisoned[17] = Float.NaN;
      StepResult r = trainer.step(poisoned, v2);
      assertThat(r.refused(), equalTo(true));
      assertThat(r.reason(), containsString("non-finite"));
      assertThat(trainer.refusedSteps(), equalTo(1L));
      assertThat(trainer.stepCount(), equalTo(2L));
      Checkpoint after = trainer.checkpoint();
      assertThat(after.state().step(), equalTo(before.state().step()));
      assertThat(after.state().optimizerUpdates(), equalTo(before.state().optimizerUpdates()));
      for (String name : before.tensors().keySet()) {
        assertThat(name, after.tensor(name).data(), equalTo(before.tensor(name).data()));
      }
      // The poisoned gradients were cleared: the next clean step trains normally.
      StepResult next = trainer.step(v1, v2);
      assertThat(next.refused(), equalTo(false));
      assertThat(Double.isFinite(next.gradNorm()), equalTo(true));
      assertThat(trainer.stepCount(), equalTo(3L));
    }
  }
}
