package dev.symmim.model.finetune;

import dev.symmim.model.config.DeviceKind;
import dev.symmim.model.config.ContrastiveHeads;
import dev.symmim.model.config.Optimisation;
import dev.symmim.model.config.Precision;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.model.config.RunSettings;
import dev.symmim.model.config.Schedule;
import dev.symmim.model.random.SeededRandom;
import dev.symmim.model.vit.VitSpec;

/** Tiny configs and synthetic labelled batches shared by the fine-tuning tests. */
final class FineTuneFixtures {
  /** 16 px, patch 4 (4x4 grid), 1 channel, dim 32, depth 2, 2 heads. */
  static final VitSpec SPEC = new VitSpec(16, 4, 1, 32, 2, 2, 4);
  static final int CLASSES = 4;

  private FineTuneFixtures() {}

  /** Batch 8, peak lr 1e-3, 200 steps (20 warmup), 1 torch thread on the CPU. */
  static FineTuneConfig.Builder config() {
    return FineTuneConfig.builder(SPEC, CLASSES)
        .batchSize(8)
        .baseLearningRate(1e-3 * 256 / 8)
        .schedule(200, 0.1)
        .seed(7)
        .threads(1, 1)
        .device(DeviceKind.CPU);
  }

  /** A pretraining config with the same encoder (heads 64/32/64, batch 8). */
  static PretrainConfig pretrainConfig() {
    return PretrainConfig.of(SPEC)
        .withHeads(new ContrastiveHeads(64, 32, 64))
        .withOptimisation(Optimisation.pretraining().withBatch(8, 1e-3 * 256 / 8))
        .withSchedule(new Schedule(1, 10, 0.99, 1.0))
        .withRun(new RunSettings(7, Precision.FP32, DeviceKind.CPU, 1, 1));
  }

  /** {@code n} smooth random images of {@code size x size x c} in [0, 1]. */
  static float[] images(int n, int size, int c, long seed) {
    SeededRandom rng = new SeededRandom(seed);
    float[] out = new float[n * size * size * c];
    for (int b = 0; b < n; b++) {
      double fx = rng.uniform(0.1, 0.8);
      double fy = rng.uniform(0.1, 0.8);
      double phase = rng.uniform(0, 6.28);
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          for (int ch = 0; ch < c; ch++) {
            double v = 0.5 + 0.25 * Math.sin(fx * x + phase + ch) + 0.25 * Math.cos(fy * y - ch);
            out[((b * size + y) * size + x) * c + ch] = (float) v;
          }
        }
      }
    }
    return out;
  }

  /** {@code n} labels cycling through the classes. */
  static int[] labels(int n) {
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = i % CLASSES;
    }
    return out;
  }
}
