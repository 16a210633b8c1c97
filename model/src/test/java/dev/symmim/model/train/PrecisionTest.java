package dev.symmim.model.train;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;

import ai.djl.ndarray.types.DataType;
import dev.symmim.model.config.DeviceKind;
import dev.symmim.model.config.Precision;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.model.runtime.TorchRuntime;
import org.junit.Assume;
import org.junit.Test;

public class PrecisionTest {
  @Test
  public void bf16FallsBackToFp32AndTrains() {
    PretrainConfig config = TinyRuns.config().withRun(TinyRuns.run(Precision.BF16, DeviceKind.CPU));
    float[] v1 = TinyRuns.images(8, 16, 3, 1);
    float[] v2 = TinyRuns.images(8, 16, 3, 2);
    try (SymMimTrainer trainer = new SymMimTrainer(config)) {
      // DJL 0.36 cannot cast to bf16 (see TorchRuntime.computeType): a clean fp32 fallback.
      assertThat(trainer.computeType(), equalTo(DataType.FLOAT32));
      StepResult first = trainer.step(v1, v2);
      StepResult last = first;
      for (int i = 0; i < 30; i++) {
        last = trainer.step(v1, v2);
      }
      assertThat(last.refused(), equalTo(false));
      assertThat(last.loss(), lessThan(first.loss()));
      // Master weights stay fp32 whatever the compute type.
      assertThat(trainer.model().trainable().get(0).array().getDataType(), equalTo(DataType.FLOAT32));
    }
  }

  @Test
  public void gpuTrainingStepWhenAGpuIsPresent() {
    Assume.assumeTrue("no GPU", TorchRuntime.engine().getGpuCount() > 0);
    PretrainConfig config = TinyRuns.config().withRun(TinyRuns.run(Precision.BF16, DeviceKind.GPU));
    try (SymMimTrainer trainer = new SymMimTrainer(config)) {
      StepResult r = trainer.step(TinyRuns.images(8, 16, 3, 1), TinyRuns.images(8, 16, 3, 2));
      assertThat(r.refused(), equalTo(false));
    }
  }
}
