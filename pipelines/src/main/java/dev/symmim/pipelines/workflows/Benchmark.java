package dev.symmim.pipelines.workflows;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.symmim.pipelines.embed.EmbedOptions;
import dev.symmim.pipelines.embed.EmbedPipeline;
import dev.symmim.pipelines.evaluate.EvaluateOptions;
import dev.symmim.pipelines.evaluate.EvaluatePipeline;
import dev.symmim.pipelines.finetune.FinetuneOptions;
import dev.symmim.pipelines.finetune.FinetunePipeline;
import dev.symmim.pipelines.options.Flags;
import dev.symmim.pipelines.options.InitFlag;
import dev.symmim.pipelines.options.OptionDocs;
import dev.symmim.pipelines.pretrain.PretrainOptions;
import dev.symmim.pipelines.pretrain.PretrainPipeline;
import dev.symmim.pipelines.report.BenchmarkPage;
import dev.symmim.pipelines.runner.BuildInfo;
import dev.symmim.pipelines.runner.StageOptions;
import dev.symmim.transforms.evaluate.BenchmarkResult;
import dev.symmim.transforms.evaluate.EvaluationMetrics;
import dev.symmim.transforms.evaluate.MetricsJson;
import dev.symmim.transforms.evaluate.WriteEvaluationMetrics;
import dev.symmim.transforms.finetune.FinetuneResult;
import dev.symmim.transforms.finetune.FinetuningTask;
import dev.symmim.transforms.io.Locations;
import dev.symmim.transforms.training.DirectoryLock;
import dev.symmim.transforms.training.LocalCheckpointStore;
import dev.symmim.transforms.training.ProgressLine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code symmim benchmark}: the headline experiment on one prepared dataset, as one resumable
 * command. Pretrain once; evaluate the pretrained encoder frozen (k-NN, linear probe, against random
 * init and raw pixels); fine-tune for every label fraction x arm x seed (SymMIM-init, scratch with
 * the same recipe, and compute-matched scratch); write {@code benchmark.json} and
 * {@code benchmark.html} with the label-efficiency plot and the mean +- std table. Finished runs
 * are reused after an interruption (pretraining resumes at its exact batch); measured wall times
 * are kept in {@code timings.json}.
 */
public final class Benchmark {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  static final List<String> ARMS = List.of("symmim", "scratch", "matched");

  private Benchmark() {}

  /** One planned fine-tuning run. */
  record Planned(double fraction, int epochs, String arm, long seed) {
    String name() {
      return arm + "-" + BenchmarkPage.pct(fraction).replace("%", "pct") + "-seed" + seed;
    }
  }

  public static Path run(BenchmarkOptions o) throws Exception {
    OptionDocs.requireAll(o, BenchmarkOptions.class);
    Flags.check(!o.getOutput().contains("://"), "output", o.getOutput(), "must be a local directory");
    Flags.check(o.getSeeds() >= 1, "seeds", o.getSeeds(), "must be >= 1");
    Flags.check(o.getMatchedSeeds() >= 0, "matchedSeeds", o.getMatchedSeeds(), "must be >= 0");
    double[] fractions = doubles(o.getLabelFractions(), "labelFractions");
    double[] epochs = doubles(o.getFinetuneEpochs(), "finetuneEpochs");
    Flags.check(fractions.length == epochs.length, "finetuneEpochs", o.getFinetuneEpochs(),
        "needs one value per --labelFractions entry (" + fractions.length + ")");
    for (int i = 0; i < fractions.length; i++) {
      Flags.check(fractions[i] > 0 && fractions[i] <= 1, "labelFractions", o.getLabelFractions(), "entries must be in (0, 1]");
      Flags.check(epochs[i] >= 1 && epochs[i] == Math.rint(epochs[i]), "finetuneEpochs", o.getFinetuneEpochs(),
          "entries must be whole numbers >= 1");
    }
    List<String> arms = Arrays.stream(o.getArms().split(",")).map(String::trim).toList();
    for (String arm : arms) {
      Flags.check(ARMS.contains(arm), "arms", o.getArms(), "entries must be " + String.join(", ", ARMS));
    }
    Flags.check(!arms.contains("matched") || (arms.contains("symmim") && arms.contains("scratch")), "arms", o.getArms(),
        "with matched needs symmim and scratch too (their wall times set its epochs)");
    Path out = Path.of(o.getOutput()).toAbsolutePath().normalize();
    try (DirectoryLock lock = DirectoryLock.acquire(out, "symmim benchmark")) {
      return run(o, out, fractions, epochs, arms);
    }
  }

  private static Path run(BenchmarkOptions o, Path out, double[] fractions, double[] epochs, List<String> arms)
      throws Exception {
    Timings timings = new Timings(out.resolve("timings.json"));
    Map<String, Object> flags = OptionDocs.values(o, BenchmarkOptions.class); // for a replay (--config)
    flags.put("data", Locations.absolute(o.getData()));
    flags.put("output", out.toString());
    String data = o.getData();

    // 1. Pretraining, once (resumes if interrupted).
    String pretrainDir = out.resolve("pretrain").toString();
    PretrainOptions pretrain = o.as(PretrainOptions.class);
    pretrain.setOutput(pretrainDir);
    Map<String, Object> pretrainFlags = OptionDocs.values(pretrain, PretrainOptions.class);
    double pretrainSeconds = timings.measure("pretrain", () -> PretrainPipeline.run(pretrain));
    pretrain.setOutput(out.toString());
    long pretrainSteps = new LocalCheckpointStore(out.resolve("pretrain/checkpoints"), 3).latest()
        .map(c -> c.position().step()).orElse(0L);
    System.out.printf("benchmark: pretraining %d steps in %.0f s%n", pretrainSteps, pretrainSeconds);

    // 2. The pretrained encoder, frozen: k-NN and linear probe against random init and raw pixels.
    EvaluationMetrics frozen = null;
    if (o.getFrozen()) {
      Path metrics = out.resolve("frozen").resolve(WriteEvaluationMetrics.METRICS_FILE);
      if (!Files.exists(metrics)) {
        EmbedOptions embed = StageOptions.derive(o, EmbedOptions.class);
        embed.setData(data);
        embed.setCheckpoint(pretrainDir);
        embed.setOutput(out.resolve("frozen/embeddings").toString());
        EmbedPipeline.run(embed);
        EvaluateOptions evaluate = StageOptions.derive(o, EvaluateOptions.class);
        evaluate.setEmbeddings(out.resolve("frozen/embeddings").toString());
        evaluate.setOutput(out.resolve("frozen").toString());
        evaluate.setK(o.getK());
        evaluate.setKnnTemperature(o.getKnnTemperature());
        evaluate.setBaselines(o.getBaselines());
        evaluate.setReadouts(o.getReadouts());
        evaluate.setProbeEpochs(o.getProbeEpochs());
        evaluate.setProbeLr(o.getProbeLr());
        EvaluatePipeline.run(evaluate);
      } else {
        System.out.println("benchmark: frozen evaluation done earlier: " + metrics);
      }
      frozen = MetricsJson.read(Files.readAllBytes(metrics), EvaluationMetrics.class);
    }

    // 3. Fine-tuning: every fraction x arm x seed; the compute-matched arm once its two references ran.
    // The two same-recipe arms first (every fraction and seed), then the costly compute-matched runs.
    List<Planned> plan = new ArrayList<>();
    for (boolean matched : new boolean[] {false, true}) {
      for (int i = 0; i < fractions.length; i++) {
        for (int s = 0; s < (matched ? Math.min(o.getSeeds(), o.getMatchedSeeds()) : o.getSeeds()); s++) {
          for (String arm : arms) {
            if (arm.equals("matched") == matched) {
              plan.add(new Planned(fractions[i], (int) epochs[i], arm, o.getSeed() + s));
            }
          }
        }
      }
    }
    List<BenchmarkResult.Run> runs = new ArrayList<>();
    long started = System.nanoTime();
    double spent = 0;
    int fresh = 0;
    for (int k = 0; k < plan.size(); k++) {
      Planned p = plan.get(k);
      int runEpochs = p.epochs();
      if (p.arm().equals("matched")) {
        // Training time (the fine-tuning loop's, without the job's fixed start-up) of the two references.
        double symmim = result(out, new Planned(p.fraction(), p.epochs(), "symmim", p.seed())).trainSeconds();
        double scratch = result(out, new Planned(p.fraction(), p.epochs(), "scratch", p.seed())).trainSeconds();
        runEpochs = (int) Math.ceil(p.epochs() * (pretrainSeconds + symmim) / scratch);
      }
      Path runDir = out.resolve("finetune").resolve(p.name());
      boolean done = Files.exists(runDir.resolve(FinetuningTask.RESULT_FILE));
      System.out.printf("benchmark: [%d/%d] %s: %s%n", k + 1, plan.size(), p.name(), done ? "done earlier, reused"
          : "fine-tuning " + runEpochs + " epochs" + eta(plan.size() - k, fresh, spent));
      FinetuneOptions f = StageOptions.derive(o, FinetuneOptions.class);
      f.setData(data);
      f.setOutput(runDir.toString());
      f.setCheckpoint(pretrainDir);
      f.setInit((p.arm().equals("symmim") ? InitFlag.checkpoint : InitFlag.random).name());
      f.setLabelFraction(p.fraction());
      f.setEpochs(runEpochs);
      f.setBatchSize(o.getFinetuneBatchSize());
      f.setLr(o.getFinetuneLr());
      f.setLayerDecay(o.getFinetuneLayerDecay());
      f.setSeed(p.seed());
      f.setThreads(o.getThreads());
      f.setDeterministic(o.getDeterministic());
      f.setLoaderThreads(o.getLoaderThreads());
      f.setDevice(o.getDevice());
      double wall;
      if (done && timings.has(p.name())) {
        wall = timings.measure(p.name(), () -> { }); // its first measurement
      } else {
        wall = timings.measure(p.name(), () -> FinetunePipeline.run(f));
        spent += wall;
        fresh++;
      }
      FinetuneResult r = result(out, p);
      runs.add(new BenchmarkResult.Run(p.fraction(), p.arm(), p.seed(), runEpochs, runDir.toString(), r.labelled(),
          r.top1(), r.top5(), r.valQueries(), wall));
      write(out, o, flags, pretrainDir, pretrainFlags, pretrainSeconds, pretrainSteps, frozen, runs);
    }
    Path page = write(out, o, flags, pretrainDir, pretrainFlags, pretrainSeconds, pretrainSteps, frozen, runs);
    System.out.printf("benchmark: %d fine-tuning runs in %.0f s this time%n", plan.size(),
        (System.nanoTime() - started) / 1e9);
    print(MetricsJson.read(Files.readAllBytes(out.resolve("benchmark.json")), BenchmarkResult.class));
    System.out.println("benchmark: " + page);
    return page;
  }

  /** The finished run's metrics.json. */
  static FinetuneResult result(Path out, Planned p) throws IOException {
    return MetricsJson.read(Files.readAllBytes(out.resolve("finetune").resolve(p.name())
        .resolve(FinetuningTask.RESULT_FILE)), FinetuneResult.class);
  }

  private static String eta(int remaining, int fresh, double spent) {
    if (fresh == 0) {
      return "";
    }
    return " (ETA " + ProgressLine.eta(remaining * spent / fresh) + " at the mean of this attempt's runs)";
  }

  static Path write(Path out, BenchmarkOptions o, Map<String, Object> flags, String pretrainDir,
      Map<String, Object> pretrainFlags, double pretrainSeconds, long pretrainSteps, EvaluationMetrics frozen,
      List<BenchmarkResult.Run> runs) throws IOException {
    BenchmarkResult r = new BenchmarkResult("symmim benchmark", flags, BuildInfo.version(), protocol(o), o.getData(),
        new BenchmarkResult.Pretraining(pretrainDir, pretrainFlags, pretrainSeconds, pretrainSteps), frozen,
        List.copyOf(runs), summary(runs));
    Files.writeString(out.resolve("benchmark.json"), MetricsJson.write(r) + "\n", StandardCharsets.UTF_8);
    return BenchmarkPage.write(out, r);
  }

  static String protocol(BenchmarkOptions o) {
    return "one SymMIM pretraining run with the flags below; its online encoder evaluated frozen (k-NN k=" + o.getK()
        + ", linear probe, on the val split) against a random-init encoder and raw pixels; end-to-end fine-tuning "
        + "('symmim finetune': LayerNorm-ed CLS + linear head, AdamW, layer decay " + o.getFinetuneLayerDecay()
        + ", base lr " + o.getFinetuneLr() + ", batch " + o.getFinetuneBatchSize() + ", warmup 10% + cosine, label "
        + "smoothing 0.1, RandomResizedCrop(0.8-1) + flip) on class-balanced, nested label subsets (fractions "
        + o.getLabelFractions() + ", epochs " + o.getFinetuneEpochs() + "), seeds " + o.getSeed() + ".."
        + (o.getSeed() + o.getSeeds() - 1) + " (a seed draws the subset, the head, the data order and, from scratch, "
        + "the encoder); arms: symmim = the pretrained encoder, scratch = the same recipe from a random encoder, "
        + "matched = from a random encoder with epochs x (pretraining wall + symmim training) / scratch training "
        + "seconds; top-1 on the whole val split; mean and sample std over seeds";
  }

  /** Mean and sample std of top-1 per (fraction, arm), in fraction then arm order. */
  static List<BenchmarkResult.Cell> summary(List<BenchmarkResult.Run> runs) {
    Map<String, List<BenchmarkResult.Run>> cells = new TreeMap<>();
    for (BenchmarkResult.Run r : runs) {
      cells.computeIfAbsent(String.format("%012.6f/%d/%s", r.fraction(), ARMS.indexOf(r.arm()), r.arm()),
          k -> new ArrayList<>()).add(r);
    }
    List<BenchmarkResult.Cell> out = new ArrayList<>();
    for (List<BenchmarkResult.Run> c : cells.values()) {
      double mean = c.stream().mapToDouble(BenchmarkResult.Run::top1).average().orElse(Double.NaN);
      double var = c.size() < 2 ? 0
          : c.stream().mapToDouble(r -> (r.top1() - mean) * (r.top1() - mean)).sum() / (c.size() - 1);
      out.add(new BenchmarkResult.Cell(c.get(0).fraction(), c.get(0).arm(), c.size(), mean, Math.sqrt(var),
          c.stream().mapToDouble(BenchmarkResult.Run::wallSeconds).average().orElse(Double.NaN)));
    }
    return out;
  }

  static void print(BenchmarkResult r) {
    System.out.println("benchmark: labelled  arm       n  top-1 mean +- std    wall s");
    for (BenchmarkResult.Cell c : r.summary()) {
      System.out.printf("benchmark: %8s  %-8s %2d  %6.2f%% +- %5.2f   %7.0f%n", BenchmarkPage.pct(c.fraction()), c.arm(),
          c.n(), 100 * c.meanTop1(), 100 * c.stdTop1(), c.meanWallSeconds());
    }
  }

  static double[] doubles(String list, String flag) {
    try {
      return Arrays.stream(list.split(",")).map(String::trim).mapToDouble(Double::parseDouble).toArray();
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + flag + "=" + list + ": not a comma-separated list of numbers", e);
    }
  }

  /** Wall seconds of finished units, kept across attempts so that a resumed benchmark reports what they cost. */
  static final class Timings {
    private final Path file;
    private final Map<String, Double> seconds;

    Timings(Path file) throws IOException {
      this.file = file;
      this.seconds = Files.exists(file) ? JSON.readValue(file.toFile(), new TypeReference<LinkedHashMap<String, Double>>() {})
          : new LinkedHashMap<>();
    }

    interface Unit {
      void run() throws Exception;
    }

    boolean has(String name) {
      return seconds.containsKey(name);
    }

    /** Runs {@code unit} (always: it resumes or returns at once when finished) and returns its first measured wall time. */
    double measure(String name, Unit unit) throws Exception {
      long t0 = System.nanoTime();
      unit.run();
      double wall = (System.nanoTime() - t0) / 1e9;
      if (!seconds.containsKey(name)) {
        seconds.put(name, wall);
        Files.writeString(file, JSON.writeValueAsString(seconds) + "\n", StandardCharsets.UTF_8);
      }
      return seconds.get(name);
    }
  }
}
