package dev.symmim.model.train;

import dev.symmim.model.config.Masking;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.symmim.model.checkpoint.Checkpoint;
import dev.symmim.model.checkpoint.NamedTensor;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.model.masking.Parity;
import java.nio.file.Path;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class CheckpointRoundTripTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void saveLoadIsBitwiseAndResumesIdentically() throws Exception {
    PretrainConfig config = TinyRuns.config().withMasking(Masking.symmetric().withParity(Parity.RANDOM));
    float[] v1 = TinyRuns.images(8, 16, 3, 1);
    float[] v2 = TinyRuns.images(8, 16, 3, 2);
    Path dir = tmp.newFolder("ckpt").toPath();
    try (SymMimTrainer original = new SymMimTrainer(config)) {
      for (int i = 0; i < 3; i++) {
        original.step(v1, v2);
      }
      original.save(dir);
      try (SymMimTrainer resumed = SymMimTrainer.load(dir)) {
        assertThat(resumed.config(), equalTo(config));
        assertSameState(resumed.checkpoint(), original.checkpoint());
        StepResult a = original.step(v1, v2);
        StepResult b = resumed.step(v1, v2);
        assertThat(b, equalTo(a));
        assertSameState(resumed.checkpoint(), original.checkpoint());
      }
    }
  }

  static void assertSameState(Checkpoint actual, Checkpoint expected) {
    assertThat(actual.state(), equalTo(expected.state()));
    assertThat(actual.tensors().keySet(), equalTo(expected.tensors().keySet()));
    for (Map.Entry<String, NamedTensor> e : expected.tensors().entrySet()) {
      NamedTensor t = actual.tensors().get(e.getKey());
      assertThat(e.getKey(), t.shape(), equalTo(e.getValue().shape()));
      for (int i = 0; i < t.data().length; i++) {
        if (Float.floatToRawIntBits(t.data()[i]) != Float.floatToRawIntBits(e.getValue().data()[i])) {
          throw new AssertionError(e.getKey() + "[" + i + "]: " + t.data()[i] + " != " + e.getValue().data()[i]);
        }
      }
    }
  }
}
