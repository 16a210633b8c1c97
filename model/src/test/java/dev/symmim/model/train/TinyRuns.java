package dev.symmim.model.train;

import dev.symmim.model.config.Schedule;
import dev.symmim.model.config.RunSettings;
import dev.symmim.model.config.Precision;
import dev.symmim.model.config.Optimisation;
import dev.symmim.model.config.ContrastiveHeads;
import dev.symmim.model.config.DeviceKind;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.model.random.SeededRandom;
import dev.symmim.model.vit.VitSpec;

/** Tiny configs and synthetic batches shared by the training tests. */
final class TinyRuns {
  private TinyRuns() {}

  /** dim 32, depth 2, 2 heads, 16 px, patch 4 (4x4 grid), heads 64/32/64, batch 8, 2 threads, CPU. */
  static PretrainConfig config() {
    return PretrainConfig.of(new VitSpec(16, 4, 3, 32, 2, 2, 4))
        .withHeads(new ContrastiveHeads(64, 32, 64))
        .withOptimisation(Optimisation.pretraining().withBatch(8, 1e-3 * 256 / 8))
        .withSchedule(new Schedule(5, 100, 0.99, 1.0))
        .withRun(run(Precision.FP32, DeviceKind.CPU));
  }

  /** Seed 7, 2 intra-op threads, 1 inter-op thread. */
  static RunSettings run(Precision precision, DeviceKind device) {
    return new RunSettings(7, precision, device, 2, 1);
  }

  /** {@code n} smooth random images (sums of sinusoids) of {@code size x size x c} in [0, 1]. */
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
}
