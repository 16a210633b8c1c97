package dev.symmim.model.bench;

import dev.symmim.model.config.Schedule;
import dev.symmim.model.config.RunSettings;
import dev.symmim.model.config.Optimisation;
import dev.symmim.model.config.ContrastiveHeads;
import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.symmim.model.config.DeviceKind;
import dev.symmim.model.config.Precision;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.model.random.SeededRandom;
import dev.symmim.model.runtime.TorchRuntime;
import dev.symmim.model.train.StepResult;
import dev.symmim.model.train.SymMimTrainer;
import dev.symmim.model.vit.VitSpec;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Times N synthetic SymMIM training steps. Needs only the model jar and DJL's jars:
 *
 * <pre>
 * java -cp symmim-model.jar:$(DJL classpath) dev.symmim.model.bench.TrainBenchmark \
 *   --preset tiny --image 32 --patch 4 --batch 64 --steps 20 --device cpu --dtype fp32 --threads 2
 * </pre>
 *
 * Options: --preset tiny|small|base|large, --dim/--depth/--heads (override), --channels, --image,
 * --patch, --batch, --steps, --warmup (untimed steps), --device cpu|gpu|auto, --dtype fp32|bf16 (bf16 falls back to fp32 on DJL 0.36),
 * --threads, --proj-hidden, --proj-out, --roofline N (matmul size, 0 = skip).
 * Prints the median step time, img/s, model FLOPs/step and the fraction of the matmul roofline.
 * The roofline matmul is timed right after every timed step (median over steps), so that both
 * medians see the same machine load when the CPU is shared; steps whose roofline sample is within
 * 10% of the best are also summarized separately as the uncontended figure.
 */
public final class TrainBenchmark {
  private TrainBenchmark() {}

  public static void main(String[] argv) {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i + 1 < argv.length; i += 2) {
      a.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
    }
    VitSpec.Size size = VitSpec.Size.valueOf(a.getOrDefault("preset", "tiny").toUpperCase());
    int image = Integer.parseInt(a.getOrDefault("image", "32"));
    int patch = Integer.parseInt(a.getOrDefault("patch", "4"));
    int channels = Integer.parseInt(a.getOrDefault("channels", "3"));
    VitSpec base = size.spec(image, patch, channels);
    VitSpec spec = new VitSpec(image, patch, channels,
        Integer.parseInt(a.getOrDefault("dim", "" + base.dim())),
        Integer.parseInt(a.getOrDefault("depth", "" + base.depth())),
        Integer.parseInt(a.getOrDefault("heads", "" + base.heads())), 4);
    int batch = Integer.parseInt(a.getOrDefault("batch", "64"));
    int steps = Integer.parseInt(a.getOrDefault("steps", "20"));
    int warmup = Integer.parseInt(a.getOrDefault("warmup", "3"));
    int threads = Integer.parseInt(a.getOrDefault("threads", "0"));
    int roofline = Integer.parseInt(a.getOrDefault("roofline", "2048"));
    DeviceKind deviceKind = DeviceKind.valueOf(a.getOrDefault("device", "auto").toUpperCase());
    Precision precision = a.getOrDefault("dtype", "fp32").equalsIgnoreCase("bf16") ? Precision.BF16 : Precision.FP32;
    int projHidden = Integer.parseInt(a.getOrDefault("proj-hidden", "1024"));
    PretrainConfig config = PretrainConfig.of(spec)
        .withHeads(new ContrastiveHeads(projHidden, Integer.parseInt(a.getOrDefault("proj-out", "256")), projHidden))
        .withOptimisation(Optimisation.pretraining().withBatch(batch, 1.5e-4))
        .withSchedule(Schedule.steps(steps + warmup))
        .withRun(new RunSettings(0, precision, deviceKind, threads, 1));

    float[][] views = new float[4][];
    SeededRandom rng = new SeededRandom(1);
    for (int v = 0; v < views.length; v++) {
      views[v] = new float[batch * image * image * channels];
      for (int i = 0; i < views[v].length; i++) {
        views[v][i] = (float) rng.nextDouble();
      }
    }
    double[] seconds = new double[steps];
    double[] peaks = new double[steps];
    Device device;
    DataType computeType;
    try (SymMimTrainer trainer = new SymMimTrainer(config)) {
      device = trainer.device();
      computeType = trainer.computeType();
      StepResult last = null;
      for (int s = 0; s < warmup + steps; s++) {
        long t0 = System.nanoTime();
        last = trainer.step(views[(2 * s) % 4], views[(2 * s + 1) % 4]);
        if (s >= warmup) {
          seconds[s - warmup] = (System.nanoTime() - t0) / 1e9;
          if (roofline > 0) {
            peaks[s - warmup] = MatmulRoofline.gflops(trainer.device(), trainer.computeType(), roofline, roofline,
                roofline, 3);
          }
          System.out.printf("step %d: %.1f ms, roofline %.1f GFLOP/s%n", s - warmup, seconds[s - warmup] * 1e3,
              peaks[s - warmup]);
        }
      }
      System.out.println("last: " + last);
    }
    double[] sorted = seconds.clone();
    Arrays.sort(sorted);
    double median = sorted[steps / 2];
    double flops = StepFlops.perStep(config, batch);
    System.out.printf("config: %s dim %d depth %d heads %d, %dpx patch %d C%d, batch %d, heads %d/%d, %s %s, %d threads%n",
        size, spec.dim(), spec.depth(), spec.heads(), image, patch, channels, batch, config.heads().projectorHidden(),
        config.heads().projectorOut(), device, computeType, TorchRuntime.intraOpThreads());
    System.out.printf("step time: median %.1f ms (min %.1f, max %.1f) over %d steps; %.1f img/s%n", median * 1e3,
        sorted[0] * 1e3, sorted[steps - 1] * 1e3, steps, batch / median);
    System.out.printf("model FLOPs/step: %.2f GFLOP (matmuls; backward = 2x forward); achieved %.1f GFLOP/s%n",
        flops / 1e9, flops / median / 1e9);
    if (roofline > 0) {
      double[] p = peaks.clone();
      Arrays.sort(p);
      double peak = p[steps / 2];
      System.out.printf("matmul roofline (%d^3 %s, median of per-step measurements; min %.1f max %.1f): %.1f GFLOP/s;"
          + " achieved fraction %.1f%%%n", roofline, computeType, p[0], p[steps - 1], peak,
          100 * flops / median / 1e9 / peak);
      // On a shared machine, contention shows up in both series at once: keep the steps whose
      // roofline sample is within 10% of the best one and report them separately.
      double best = p[steps - 1];
      double[] quietSteps = new double[steps];
      double[] quietPeaks = new double[steps];
      int quiet = 0;
      for (int i = 0; i < steps; i++) {
        if (peaks[i] >= 0.9 * best) {
          quietSteps[quiet] = seconds[i];
          quietPeaks[quiet++] = peaks[i];
        }
      }
      double[] qs = Arrays.copyOf(quietSteps, quiet);
      double[] qp = Arrays.copyOf(quietPeaks, quiet);
      Arrays.sort(qs);
      Arrays.sort(qp);
      double quietMedian = qs[quiet / 2];
      System.out.printf("uncontended steps (roofline sample >= 90%% of best, %d of %d): median %.1f ms, %.1f img/s,"
          + " %.1f GFLOP/s vs roofline %.1f GFLOP/s: achieved fraction %.1f%%%n", quiet, steps, quietMedian * 1e3,
          batch / quietMedian, flops / quietMedian / 1e9, qp[quiet / 2], 100 * flops / quietMedian / 1e9 / qp[quiet / 2]);
    }
  }
}
