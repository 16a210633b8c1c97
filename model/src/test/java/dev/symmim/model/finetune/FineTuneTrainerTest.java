package dev.symmim.model.finetune;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;

import dev.symmim.model.checkpoint.NamedTensor;
import java.util.Map;
import org.junit.Test;

public class FineTuneTrainerTest {
  @Test
  public void overfitsOneBatch() {
    float[] images = FineTuneFixtures.images(16, 16, 1, 3);
    int[] labels = FineTuneFixtures.labels(16);
    FineTuneConfig config = FineTuneFixtures.config().batchSize(16).baseLearningRate(2e-3 * 256 / 16)
        .schedule(100, 0.1).build();
    try (FineTuneTrainer trainer = FineTuneTrainer.fromScratch(config)) {
      FineTuneStepResult first = trainer.step(images, labels);
      assertThat(first.loss(), org.hamcrest.Matchers.closeTo(Math.log(FineTuneFixtures.CLASSES), 1e-3));
      FineTuneStepResult last = first;
      for (int i = 1; i < 100; i++) {
        last = trainer.step(images, labels);
      }
      assertThat(last.loss(), lessThan(0.5 * first.loss()));
      assertThat(last.trainTop1(), equalTo(1.0));
      assertThat(trainer.predict(images), equalTo(labels));
      assertThat(trainer.stepCount(), equalTo(100L));
    }
  }

  @Test
  public void resumeFromStateIsBitwiseIdentical() {
    float[] images = FineTuneFixtures.images(8, 16, 1, 4);
    int[] labels = FineTuneFixtures.labels(8);
    // Drop-path on, so the RNG state is part of what must survive.
    FineTuneConfig config = FineTuneFixtures.config().dropPath(0.2).build();
    try (FineTuneTrainer original = FineTuneTrainer.fromScratch(config)) {
      for (int i = 0; i < 3; i++) {
        original.step(images, labels);
      }
      FineTuneState saved = original.state();
      // Through JSON, as a checkpoint directory would hold it.
      FineTuneState reread = new FineTuneState(FineTuneConfig.fromJson(saved.config().toJson()), saved.state(),
          saved.tensors());
      try (FineTuneTrainer resumed = FineTuneTrainer.restore(reread)) {
        assertSameState(resumed.state(), saved);
        for (int i = 0; i < 2; i++) {
          FineTuneStepResult a = original.step(images, labels);
          FineTuneStepResult b = resumed.step(images, labels);
          assertThat(b, equalTo(a));
        }
        assertSameState(resumed.state(), original.state());
        assertThat(resumed.logits(images), equalTo(original.logits(images)));
      }
    }
  }

  @Test
  public void dropPathIsSeededAndOffInEvalMode() {
    float[] images = FineTuneFixtures.images(8, 16, 1, 5);
    int[] labels = FineTuneFixtures.labels(8);
    FineTuneConfig plain = FineTuneFixtures.config().build();
    FineTuneConfig dropped = FineTuneFixtures.config().dropPath(0.5).build();
    try (FineTuneTrainer a = FineTuneTrainer.fromScratch(plain);
        FineTuneTrainer b = FineTuneTrainer.fromScratch(dropped);
        FineTuneTrainer c = FineTuneTrainer.fromScratch(dropped)) {
      // Same weights: eval-mode logits agree and are repeatable.
      assertThat(b.logits(images), equalTo(a.logits(images)));
      assertThat(b.logits(images), equalTo(b.logits(images)));
      FineTuneStepResult ra = a.step(images, labels);
      FineTuneStepResult rb = b.step(images, labels);
      assertThat(rb.gradNorm(), not(equalTo(ra.gradNorm())));
      assertThat(c.step(images, labels), equalTo(rb));
    }
  }

  @Test
  public void nonFiniteInputIsRefusedAndChangesNothing() {
    float[] images = FineTuneFixtures.images(8, 16, 1, 6);
    int[] labels = FineTuneFixtures.labels(8);
    try (FineTuneTrainer trainer = FineTuneTrainer.fromScratch(FineTuneFixtures.config().dropPath(0.1).build())) {
      trainer.step(images, labels);
      FineTuneState before = trainer.state();
      float[] poisoned = images.clone();
      poisoned[5] = Float.NaN;
      FineTuneStepResult r = trainer.step(poisoned, labels);
      assertThat(r.refused(), equalTo(true));
      assertThat(r.reason(), containsString("non-finite"));
      FineTuneState after = trainer.state();
      assertThat(after.state().step(), equalTo(before.state().step()));
      assertThat(after.state().rngState(), equalTo(before.state().rngState()));
      assertThat(after.state().refusedSteps(), equalTo(1L));
      for (Map.Entry<String, NamedTensor> e : before.tensors().entrySet()) {
        assertThat(e.getKey(), after.tensor(e.getKey()).data(), equalTo(e.getValue().data()));
      }
      assertThat(trainer.step(images, labels).refused(), equalTo(false));
    }
  }

  @Test
  public void stepsAndPredictionsLeaveNoArraysBehind() {
    float[] images = FineTuneFixtures.images(8, 16, 1, 8);
    int[] labels = FineTuneFixtures.labels(8);
    try (FineTuneTrainer trainer = FineTuneTrainer.fromScratch(FineTuneFixtures.config().dropPath(0.1).build())) {
      trainer.step(images, labels);
      trainer.predict(images);
      int live = trainer.liveArrayCount();
      for (int i = 0; i < 5; i++) {
        trainer.step(images, labels);
        trainer.predict(images);
      }
      assertThat(trainer.liveArrayCount(), equalTo(live));
    }
  }

  @Test
  public void predictionsAreBatchedAndTopKIsOrdered() {
    float[] images = FineTuneFixtures.images(FineTuneTrainer.PREDICT_CHUNK + 3, 16, 1, 7);
    try (FineTuneTrainer trainer = FineTuneTrainer.fromScratch(FineTuneFixtures.config().build())) {
      float[] logits = trainer.logits(images);
      assertThat(logits.length, equalTo((FineTuneTrainer.PREDICT_CHUNK + 3) * FineTuneFixtures.CLASSES));
      float[] tail = trainer.logits(java.util.Arrays.copyOfRange(images, FineTuneTrainer.PREDICT_CHUNK * 256,
          images.length));
      assertThat(java.util.Arrays.copyOfRange(logits, FineTuneTrainer.PREDICT_CHUNK * 4, logits.length),
          equalTo(tail));
      int[][] top = trainer.topK(images, 3);
      int[] top1 = trainer.predict(images);
      for (int i = 0; i < top.length; i++) {
        assertThat(top[i][0], equalTo(top1[i]));
        for (int j = 1; j < 3; j++) {
          assertThat(logits[i * 4 + top[i][j - 1]] >= logits[i * 4 + top[i][j]], equalTo(true));
        }
      }
    }
  }

  static void assertSameState(FineTuneState actual, FineTuneState expected) {
    assertThat(actual.config(), equalTo(expected.config()));
    assertThat(actual.state(), equalTo(expected.state()));
    assertThat(actual.tensors().keySet(), equalTo(expected.tensors().keySet()));
    for (Map.Entry<String, NamedTensor> e : expected.tensors().entrySet()) {
      NamedTensor t = actual.tensors().get(e.getKey());
      for (int i = 0; i < t.data().length; i++) {
        if (Float.floatToRawIntBits(t.data()[i]) != Float.floatToRawIntBits(e.getValue().data()[i])) {
          throw new AssertionError(e.getKey() + "[" + i + "]: " + t.data()[i] + " != " + e.getValue().data()[i]);
        }
      }
    }
  }
}
