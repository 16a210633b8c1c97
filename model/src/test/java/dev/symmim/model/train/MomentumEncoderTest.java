package dev.symmim.model.train;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.equalTo;

import dev.symmim.model.vit.Parameter;
import java.util.ArrayList;
import java.util.List;
import org.junit.Test;

public class MomentumEncoderTest {
  @Test
  public void emaUpdateIsMTimesOldPlusOneMinusMTimesOnline() {
    try (SymMimTrainer trainer = new SymMimTrainer(TinyRuns.config())) {
      float[] v1 = TinyRuns.images(8, 16, 3, 1);
      float[] v2 = TinyRuns.images(8, 16, 3, 2);
      trainer.step(v1, v2); // step 0 has lr 0 (warmup); take the second one
      List<float[]> before = snapshot(trainer.model().momentum());
      StepResult r = trainer.step(v1, v2);
      double m = r.momentum();
      List<Parameter[]> pairs = trainer.model().momentumPairs();
      double maxErr = 0;
      boolean anyChange = false;
      for (int i = 0; i < pairs.size(); i++) {
        float[] q = pairs.get(i)[0].array().toFloatArray();
        float[] k = pairs.get(i)[1].array().toFloatArray();
        float[] k0 = before.get(i);
        for (int j = 0; j < k.length; j++) {
          double expected = m * k0[j] + (1 - m) * q[j];
          maxErr = Math.max(maxErr, Math.abs(expected - k[j]));
          anyChange |= k[j] != k0[j];
        }
        assertThat(pairs.get(i)[1].array().hasGradient(), equalTo(false));
      }
      assertThat(maxErr, closeTo(0, 1e-6));
      assertThat(anyChange, equalTo(true));
    }
  }

  @Test
  public void momentumEncoderStartsAsACopyOfTheOnlineEncoder() {
    try (SymMimTrainer trainer = new SymMimTrainer(TinyRuns.config())) {
      for (Parameter[] pair : trainer.model().momentumPairs()) {
        assertThat(pair[1].name(), equalTo(pair[0].name()));
        assertThat(pair[1].array().toFloatArray(), equalTo(pair[0].array().toFloatArray()));
      }
    }
  }

  @Test
  public void momentumScheduleRisesFrom099To1OnACosine() {
    MomentumSchedule s = new MomentumSchedule(0.99, 1.0, 100);
    assertThat(s.at(0), closeTo(0.99, 1e-12));
    assertThat(s.at(50), closeTo(0.995, 1e-12));
    assertThat(s.at(100), closeTo(1.0, 1e-12));
    assertThat(s.at(1000), closeTo(1.0, 1e-12));
  }

  @Test
  public void learningRateWarmsUpLinearlyThenCosinesToMin() {
    LearningRateSchedule s = new LearningRateSchedule(1e-3, 1e-5, 10, 110);
    assertThat(s.at(0), closeTo(0, 1e-15));
    assertThat(s.at(5), closeTo(5e-4, 1e-15));
    assertThat(s.at(10), closeTo(1e-3, 1e-15));
    assertThat(s.at(60), closeTo(1e-5 + (1e-3 - 1e-5) * 0.5, 1e-12));
    assertThat(s.at(110), closeTo(1e-5, 1e-15));
  }

  static List<float[]> snapshot(List<Parameter> params) {
    List<float[]> out = new ArrayList<>();
    for (Parameter p : params) {
      out.add(p.array().toFloatArray());
    }
    return out;
  }
}
