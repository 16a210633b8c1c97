package dev.symmim.model.bench;

import dev.symmim.model.config.Precision;
import dev.symmim.model.config.Schedule;
import dev.symmim.model.config.RunSettings;
import dev.symmim.model.config.Optimisation;
import dev.symmim.model.config.ContrastiveHeads;
import ai.djl.ndarray.NDManager;
import dev.symmim.model.config.DeviceKind;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.model.random.SeededRandom;
import dev.symmim.model.train.SymMimTrainer;
import dev.symmim.model.vit.VitSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs many training steps on a tiny model and samples the live NDArray count (under the trainer
 * and engine-wide) and the RSS, to show that nothing leaks per step. Used by {@code LeakSoakTest}
 * and runnable as a main: {@code LeakSoak [steps] [every]}. For a stable RSS reading run it with
 * a small fixed heap and few malloc arenas, e.g. {@code MALLOC_ARENA_MAX=2 java -Xmx256m
 * -XX:+UseSerialGC ...}: with G1 and a large heap the committed Java heap alone moves RSS by 10%.
 */
public final class LeakSoak {
  private LeakSoak() {}

  /** One sample: after {@code step} steps. */
  public record Sample(int step, int trainerArrays, int engineArrays, long rssKb) {
    @Override
    public String toString() {
      return String.format("step %4d: live arrays trainer %d, engine %d; RSS %.1f MiB", step, trainerArrays,
          engineArrays, rssKb / 1024.0);
    }
  }

  public static PretrainConfig tinyConfig() {
    return PretrainConfig.of(new VitSpec(16, 4, 3, 32, 2, 2, 4))
        .withHeads(new ContrastiveHeads(64, 32, 64))
        .withOptimisation(Optimisation.pretraining().withBatch(8, 1.5e-4))
        .withSchedule(new Schedule(10, 1000, 0.99, 1.0))
        .withRun(new RunSettings(0, Precision.FP32, DeviceKind.CPU, 2, 1));
  }

  public static List<Sample> run(PretrainConfig config, int steps, int every) {
    int n = config.optimisation().batchSize();
    int per = config.encoder().imageSize() * config.encoder().imageSize() * config.encoder().channels();
    SeededRandom rng = new SeededRandom(3);
    List<Sample> samples = new ArrayList<>();
    try (SymMimTrainer trainer = new SymMimTrainer(config)) {
      for (int s = 0; s <= steps; s++) {
        if (s % every == 0) {
          System.gc();
          samples.add(new Sample(s, trainer.liveArrayCount(),
              engineArrays(), ResidentMemory.kilobytes()));
        }
        if (s < steps) {
          float[] v1 = new float[n * per];
          float[] v2 = new float[n * per];
          for (int i = 0; i < v1.length; i++) {
            v1[i] = (float) rng.nextDouble();
            v2[i] = (float) rng.nextDouble();
          }
          trainer.step(v1, v2);
        }
      }
    }
    return samples;
  }

  /** Arrays alive anywhere in the engine (the system manager and all its descendants). */
  static int engineArrays() {
    try (NDManager probe = NDManager.newBaseManager()) {
      return probe.getParentManager().getManagedArrays().size();
    }
  }

  public static void main(String[] args) {
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 500;
    int every = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    long t0 = System.nanoTime();
    for (Sample s : run(tinyConfig(), steps, every)) {
      System.out.println(s);
    }
    System.out.printf("%d steps in %.1f s%n", steps, (System.nanoTime() - t0) / 1e9);
  }
}
