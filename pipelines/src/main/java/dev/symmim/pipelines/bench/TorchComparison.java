package dev.symmim.pipelines.bench;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.symmim.model.checkpoint.Checkpoint;
import dev.symmim.model.config.ContrastiveHeads;
import dev.symmim.model.config.DeviceKind;
import dev.symmim.model.config.Normalization;
import dev.symmim.model.config.Optimisation;
import dev.symmim.model.config.Precision;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.model.config.RunSettings;
import dev.symmim.model.config.Schedule;
import dev.symmim.model.infer.Branch;
import dev.symmim.model.infer.EmbeddingPredictor;
import dev.symmim.model.random.SeededRandom;
import dev.symmim.model.train.SymMimTrainer;
import dev.symmim.model.vit.Parameter;
import dev.symmim.model.vit.VitSpec;
import dev.symmim.pipelines.options.Flags;
import dev.symmim.pipelines.options.OptionDocs;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * {@code symmim bench train|embed --against=pytorch}: the full SymMIM training step (or the encoder's
 * inference on uint8 images) of one model, batch and thread count, in DJL here and in plain PyTorch
 * eager in a Python process ({@code bench/torch_symmim.py}, the same networks, losses, clipping,
 * AdamW and fused EMA), timed in interleaved blocks (DJL block, then PyTorch block, per round; the
 * side not running waits idle), so that drifting machine load hits both alike. Prints the
 * DJL/PyTorch ratio of the per-step medians. Both sides get in-memory inputs: no data loading.
 */
public final class TorchComparison {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TorchComparison() {}

  /** What is timed. */
  public enum Workload {
    TRAIN("train", "training step"), EMBED("embed", "forward pass");

    final String command;
    final String unit;

    Workload(String command, String unit) {
      this.command = command;
      this.unit = unit;
    }
  }

  /** Seconds per block on each side (measured rounds only), and what each side reported. */
  public record Result(Workload workload, int stepsPerBlock, double[] djlSeconds, double[] torchSeconds,
      long djlParameters, long torchParameters, String torchVersion) {
    public double djlMillisPerStep() {
      return 1000 * median(djlSeconds) / stepsPerBlock;
    }

    public double torchMillisPerStep() {
      return 1000 * median(torchSeconds) / stepsPerBlock;
    }

    /** The median over rounds of (DJL block time / PyTorch block time). */
    public double ratio() {
      double[] r = new double[djlSeconds.length];
      for (int i = 0; i < r.length; i++) {
        r[i] = djlSeconds[i] / torchSeconds[i];
      }
      return median(r);
    }
  }

  static void validate(TorchBenchOptions o) {
    OptionDocs.requireAll(o, TorchBenchOptions.class);
    Flags.check(o.getAgainst().equals("pytorch"), "against", o.getAgainst(), "must be pytorch");
    Flags.check(o.getBatchSize() >= 2, "batchSize", o.getBatchSize(), "must be >= 2");
    Flags.check(o.getThreads() >= 1, "threads", o.getThreads(), "must be >= 1 (both sides get the same count)");
    Flags.check(o.getRounds() >= 1, "rounds", o.getRounds(), "must be >= 1");
    Flags.check(o.getStepsPerBlock() >= 1, "stepsPerBlock", o.getStepsPerBlock(), "must be >= 1");
    Flags.check(o.getWarmupRounds() >= 0, "warmupRounds", o.getWarmupRounds(), "must be >= 0");
    Flags.check(o.getImageSize() % o.getPatchSize() == 0, "patchSize", o.getPatchSize(), "does not divide --imageSize="
        + o.getImageSize());
    Flags.check(o.getImageSize() / o.getPatchSize() % 2 == 0, "imageSize", o.getImageSize(), "must give an even patch "
        + "grid (the symmetric mask's 2x2 blocks)");
    Flags.check(o.getDim() % o.getHeads() == 0, "heads", o.getHeads(), "does not divide --dim=" + o.getDim());
  }

  /** The run's pretraining config: symmim's defaults (symmetric masks, L1, InfoNCE tau 0.2) at these sizes. */
  static PretrainConfig config(TorchBenchOptions o) {
    VitSpec spec = new VitSpec(o.getImageSize(), o.getPatchSize(), o.getChannels(), o.getDim(), o.getDepth(),
        o.getHeads(), 4);
    return PretrainConfig.of(spec)
        .withHeads(new ContrastiveHeads(o.getHeadHidden(), o.getHeadOut(), o.getHeadHidden()))
        .withOptimisation(Optimisation.pretraining().withBatch(o.getBatchSize(), 1.5e-4))
        .withSchedule(new Schedule(0, 1_000_000, 0.99, 1.0))
        .withNormalization(Normalization.neutral(o.getChannels()))
        .withRun(new RunSettings(o.getSeed(), Precision.FP32, DeviceKind.CPU, o.getThreads(), 1));
  }

  public static Result run(TorchBenchOptions o, Workload workload, PrintStream out) throws IOException,
      InterruptedException {
    validate(o);
    PretrainConfig config = config(o);
    VitSpec spec = config.encoder();
    int n = o.getBatchSize();
    int per = spec.imageSize() * spec.imageSize() * spec.channels();
    SeededRandom r = new SeededRandom(o.getSeed());
    float[] view1 = new float[n * per];
    float[] view2 = new float[n * per];
    byte[] pixels = new byte[n * per];
    for (int i = 0; i < n * per; i++) {
      view1[i] = (float) r.uniform(0, 1);
      view2[i] = (float) r.uniform(0, 1);
      pixels[i] = (byte) (int) r.uniform(0, 256);
    }
    SymMimTrainer trainer = new SymMimTrainer(config, Device.cpu());
    long djlParameters = trainer.model().trainable().stream().mapToLong(Parameter::size).sum();
    EmbeddingPredictor predictor = null;
    if (workload == Workload.EMBED) {
      Checkpoint c = trainer.checkpoint();
      trainer.close();
      trainer = null;
      predictor = new EmbeddingPredictor(c, Branch.ONLINE, Device.cpu());
    }
    Path script = Files.createTempFile("torch_symmim", ".py");
    try (InputStream in = TorchComparison.class.getResourceAsStream("/bench/torch_symmim.py")) {
      Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    Process python = new ProcessBuilder(o.getPython(), script.toString(), pythonConfig(o, config).toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try (Writer stdin = new java.io.OutputStreamWriter(python.getOutputStream(), StandardCharsets.UTF_8);
        BufferedReader stdout = new BufferedReader(new InputStreamReader(python.getInputStream(), StandardCharsets.UTF_8))) {
      JsonNode ready = readLine(stdout, python, o.getPython());
      out.printf("bench %s --against=pytorch: %s; DJL %d trainable parameters, PyTorch %s (BLAS %s) %d; %d intra-op "
          + "thread(s) each; load average at start %s%n", workload.command, spec, djlParameters,
          ready.get("torch").asText(), ready.path("blas").asText("unknown"), ready.get("parameters").asLong(),
          o.getThreads(), loadAverage());
      String blas = ready.path("blas").asText("unknown");
      if (blas.contains("openblas")) {
        // OpenBLAS runs its own threads beside torch's: PyTorch's cores are torch's threads x these.
        out.println("bench: PyTorch's OpenBLAS uses OPENBLAS_NUM_THREADS=" + java.util.Objects.requireNonNullElse(
            System.getenv("OPENBLAS_NUM_THREADS"), "(unset: one per core)") + " thread(s) per call");
      }
      if (blas.contains("/blas/libblas") || blas.startsWith("generic") && !blas.contains("->")) {
        out.println("bench: warning: PyTorch runs on the reference BLAS (unoptimised), which flatters DJL; "
            + "infra/dev/install-bench-deps.sh installs OpenBLAS for a fair baseline");
      }
      int rounds = o.getWarmupRounds() + o.getRounds();
      double[] djl = new double[o.getRounds()];
      double[] torch = new double[o.getRounds()];
      for (int round = 0; round < rounds; round++) {
        long t0 = System.nanoTime();
        for (int s = 0; s < o.getStepsPerBlock(); s++) {
          if (workload == Workload.TRAIN) {
            trainer.step(view1, view2);
          } else {
            predictor.embed(pixels, n);
          }
        }
        double djlSeconds = (System.nanoTime() - t0) / 1e9;
        stdin.write(workload.command + " " + o.getStepsPerBlock() + "\n");
        stdin.flush();
        double torchSeconds = readLine(stdout, python, o.getPython()).get("seconds").asDouble();
        boolean warmup = round < o.getWarmupRounds();
        if (!warmup) {
          djl[round - o.getWarmupRounds()] = djlSeconds;
          torch[round - o.getWarmupRounds()] = torchSeconds;
        }
        out.printf("  round %d%s: DJL %.1f ms/%s, PyTorch %.1f ms: %.3f%n", round + 1, warmup ? " (warm-up)" : "",
            1000 * djlSeconds / o.getStepsPerBlock(), workload.unit, 1000 * torchSeconds / o.getStepsPerBlock(),
            djlSeconds / torchSeconds);
      }
      stdin.write("quit\n");
      stdin.flush();
      Result result = new Result(workload, o.getStepsPerBlock(), djl, torch, djlParameters,
          ready.get("parameters").asLong(), ready.get("torch").asText());
      out.printf("bench %s --against=pytorch: DJL %.2f ms/%s, PyTorch %s eager %.2f ms: DJL/PyTorch = %.3f (median of %d "
          + "interleaved rounds of %d, batch %d, %d thread(s)); load average at end %s: timings are only meaningful on an "
          + "otherwise idle machine%n", workload.command, result.djlMillisPerStep(), workload.unit,
          result.torchVersion(), result.torchMillisPerStep(), result.ratio(), o.getRounds(), o.getStepsPerBlock(), n,
          o.getThreads(), loadAverage());
      if (result.djlParameters() != result.torchParameters()) {
        out.printf("bench: warning: the two models differ in size (%d vs %d trainable parameters)%n",
            result.djlParameters(), result.torchParameters());
      }
      return result;
    } finally {
      python.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
      python.destroy();
      Files.deleteIfExists(script);
      if (trainer != null) {
        trainer.close();
      }
      if (predictor != null) {
        predictor.close();
      }
    }
  }

  static ObjectNode pythonConfig(TorchBenchOptions o, PretrainConfig config) {
    VitSpec s = config.encoder();
    ObjectNode c = JSON.createObjectNode();
    c.put("dim", s.dim()).put("depth", s.depth()).put("heads", s.heads()).put("mlpRatio", s.mlpRatio());
    c.put("imageSize", s.imageSize()).put("patchSize", s.patchSize()).put("channels", s.channels());
    c.put("batchSize", o.getBatchSize()).put("headHidden", o.getHeadHidden()).put("headOut", o.getHeadOut());
    c.put("threads", o.getThreads()).put("seed", o.getSeed());
    c.put("lr", config.optimisation().peakLearningRate());
    c.put("maskBlock", config.masking().block());
    c.put("temperature", config.losses().temperature());
    c.put("contrastiveWeight", config.losses().contrastiveWeight());
    c.put("momentum", config.schedule().momentumStart());
    float[] mean = config.normalization().mean();
    float[] std = config.normalization().std();
    c.set("mean", JSON.valueToTree(mean));
    c.set("std", JSON.valueToTree(std));
    return c;
  }

  private static JsonNode readLine(BufferedReader stdout, Process python, String interpreter) throws IOException {
    String line = stdout.readLine();
    if (line == null) {
      throw new IllegalStateException(interpreter + " bench/torch_symmim.py ended early (exit " + waitExit(python)
          + "); is torch importable? (infra/dev/install-test-deps.sh installs python3-torch)");
    }
    return JSON.readTree(line);
  }

  private static String waitExit(Process p) {
    try {
      return p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) ? String.valueOf(p.exitValue()) : "still running";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  static double median(double[] values) {
    double[] s = values.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
