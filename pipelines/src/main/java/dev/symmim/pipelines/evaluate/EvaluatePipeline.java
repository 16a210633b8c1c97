package dev.symmim.pipelines.evaluate;

import dev.symmim.model.infer.Readout;
import dev.symmim.pipelines.options.Flags;
import dev.symmim.pipelines.options.OptionDocs;
import dev.symmim.pipelines.report.EvaluationReport;
import dev.symmim.pipelines.report.ReportDirectory;
import dev.symmim.pipelines.runner.BuildInfo;
import dev.symmim.pipelines.runner.Jobs;
import dev.symmim.pipelines.runner.RunnerDefaults;
import dev.symmim.schemas.Embedding;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.dataset.DatasetPaths;
import dev.symmim.transforms.embed.ComputeEmbeddings;
import dev.symmim.transforms.embed.EmbedDataset;
import dev.symmim.transforms.embed.EmbedPlanner;
import dev.symmim.transforms.embed.EmbeddingsManifest;
import dev.symmim.transforms.embed.EncoderKind;
import dev.symmim.transforms.embed.VertexExport;
import dev.symmim.transforms.evaluate.EvaluateEmbeddings;
import dev.symmim.transforms.evaluate.EvaluationMetrics;
import dev.symmim.transforms.evaluate.KnnResult;
import dev.symmim.transforms.evaluate.LinearProbe;
import dev.symmim.transforms.evaluate.MetricsJson;
import dev.symmim.transforms.evaluate.SetEvaluation;
import dev.symmim.transforms.evaluate.WriteEvaluationMetrics;
import dev.symmim.transforms.io.Locations;
import dev.symmim.transforms.progress.ProgressMeter;
import dev.symmim.transforms.training.Checkpoints;
import dev.symmim.transforms.training.ProgressLine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.io.AvroIO;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;

/**
 * {@code symmim evaluate}: an embeddings directory -> baselines embedded in the same run (raw pixels,
 * random init, momentum encoder) -> k-NN, linear probe, feature health for every set ->
 * {@code metrics.json}, {@code projections.json} and {@code report.html}.
 */
public final class EvaluatePipeline {
  private EvaluatePipeline() {}

  /** One evaluated embedding set. */
  public record EmbeddingSet(String name, String dir, EmbeddingsManifest manifest) {}

  static void validate(EvaluateOptions o) {
    OptionDocs.requireAll(o, EvaluateOptions.class);
    Flags.check(!o.getOutput().contains("://") || o.getOutput().startsWith("gs://"), "output", o.getOutput(),
        "must be a local directory or gs://bucket/path");
    Flags.check(o.getK() >= 1 && o.getK() <= 1000, "k", o.getK(), "must be in [1, 1000]");
    Flags.check(o.getKnnTemperature() > 0, "knnTemperature", o.getKnnTemperature(), "must be > 0");
    Flags.check(o.getBlockRows() >= 16, "blockRows", o.getBlockRows(), "must be >= 16");
    Flags.check(o.getProbeEpochs() >= 1, "probeEpochs", o.getProbeEpochs(), "must be >= 1");
    Flags.check(o.getProbeLr() > 0, "probeLr", o.getProbeLr(), "must be > 0");
    Flags.check(o.getBatchSize() >= 1, "batchSize", o.getBatchSize(), "must be >= 1");
    Flags.check(o.getProjectionPoints() >= 3, "projectionPoints", o.getProjectionPoints(), "must be >= 3");
  }

  public static EmbeddingsManifest readManifest(String dir, String flag) {
    EmbeddingsManifest m;
    try {
      m = EmbeddingsManifest.readFrom(dir);
    } catch (IOException e) {
      throw new IllegalArgumentException("--" + flag + "=" + dir + ": " + e.getMessage(), e);
    }
    Flags.check(m.reconciles(), flag, dir, "has a manifest whose counts do not reconcile (inputs " + m.inputs()
        + " != records " + m.records() + " + failed " + m.failed() + ")");
    Flags.check(m.splits().getOrDefault("train", 0L) > 0, flag, dir, "has no 'train' embeddings (the k-NN bank)");
    Flags.check(m.splits().getOrDefault("val", 0L) > 0, flag, dir, "has no 'val' embeddings (the k-NN queries)");
    Flags.check(m.classes() != null && !m.classes().isEmpty(), flag, dir, "has no classes: labels are needed to evaluate");
    return m;
  }

  /**
   * Runs both jobs and writes the report; returns the report's path or URI. When the runner only
   * hands the job to Dataflow ({@link Jobs#submitOnly}: a Flex Template launch), that is the one evaluation
   * job (no comparison sets), and the path returned is the metrics.json it will write.
   */
  public static String run(EvaluateOptions o) throws IOException {
    return run(o, Map.of(), m -> null);
  }

  /**
   * As {@link #run(EvaluateOptions)}, the report linking {@code links} (relative href -> title) and
   * opening with {@code headline} of the metrics (a sentence in words; null: none).
   */
  public static String run(EvaluateOptions o, Map<String, String> links, Function<EvaluationMetrics, String> headline)
      throws IOException {
    validate(o);
    FileSystems.setDefaultPipelineOptions(o);
    try (ReportDirectory out = ReportDirectory.of(Locations.absolute(o.getOutput()))) {
      return run(o, links, headline, out);
    }
  }

  /**
   * The jobs write metrics.json, projections.json and the baselines' features/ to the output (local
   * or gs://); the report is made in {@code out}'s local directory and uploaded with them.
   */
  private static String run(EvaluateOptions o, Map<String, String> links, Function<EvaluationMetrics, String> headline,
      ReportDirectory out) throws IOException {
    long t0 = System.nanoTime();
    String embeddings = Locations.absolute(o.getEmbeddings());
    String output = out.location();
    EmbeddingsManifest main = readManifest(embeddings, "embeddings");
    List<EmbeddingSet> sets = new ArrayList<>();
    sets.add(new EmbeddingSet(main.encoder(), embeddings, main));
    sets.addAll(embedBaselines(o, main, output));
    long t1 = System.nanoTime();
    // Sets that would not fit in half the heap together are evaluated in several jobs (a property for tests).
    List<List<EmbeddingSet>> jobs = jobs(sets, Long.getLong("symmim.evaluateBudgetBytes",
        Runtime.getRuntime().maxMemory() / 2));
    WriteEvaluationMetrics write = WriteEvaluationMetrics.to(output, header(main, embeddings, o),
        sets.stream().map(EmbeddingSet::name).toList());
    if (jobs.size() == 1) {
      Pipeline p = Pipeline.create(o);
      evaluateAll(p, sets, o).apply("WriteMetrics", write);
      PipelineResult result = Jobs.run(p, "evaluate");
      if (Jobs.submitOnly(o)) {
        System.out.println("evaluate: the job writes " + WriteEvaluationMetrics.METRICS_FILE + " and "
            + WriteEvaluationMetrics.PROJECTIONS_FILE + " to " + output + "; report.html is made only by a run that "
            + "waits for its jobs (bin/symmim evaluate, infra/dataflow/submit.sh evaluate)");
        return Locations.child(output, WriteEvaluationMetrics.METRICS_FILE);
      }
      System.out.println("evaluate: Beam metrics" + Jobs.metrics(result, "evaluate"));
    } else {
      if (Jobs.submitOnly(o)) {
        throw new IllegalArgumentException("evaluate: a Flex Template launch hands Dataflow one job, and these "
            + sets.size() + " sets need " + jobs.size() + " jobs in a row (their memory estimate exceeds half the "
            + "launcher's heap): run evaluate with bin/symmim or infra/dataflow/submit.sh");
      }
      long total = sets.stream().mapToLong(EvaluatePipeline::memoryEstimate).sum();
      System.out.printf("evaluate: %d sets need about %.1f GB together, more than half the %.1f GB heap: "
          + "evaluating them in %d jobs (SYMMIM_JAVA_OPTS=-Xmx<size> gives a bigger heap)%n", sets.size(), total / 1e9,
          Runtime.getRuntime().maxMemory() / 1e9, jobs.size());
      String parts = Locations.child(output, ".sets");
      List<String> results = new ArrayList<>();
      long doneBytes = 0;
      long jobsStarted = System.nanoTime();
      for (int i = 0; i < jobs.size(); i++) {
        List<EmbeddingSet> job = jobs.get(i);
        String dir = Locations.child(parts, String.valueOf(i));
        List<String> names = job.stream().map(EmbeddingSet::name).toList();
        long bytes = job.stream().mapToLong(EvaluatePipeline::memoryEstimate).sum();
        // A job whose results were saved by an earlier, interrupted run of the same evaluation is reused.
        String key = jobKey(job, o);
        String keyFile = Locations.child(dir, "job-key.txt");
        if (Locations.exists(keyFile) && new String(Locations.read(keyFile), StandardCharsets.UTF_8).equals(key)) {
          System.out.println("evaluate: job " + (i + 1) + "/" + jobs.size() + " " + names + " done earlier, reused");
          total -= bytes;
        } else {
          System.out.println("evaluate: job " + (i + 1) + "/" + jobs.size() + " " + names + " started");
          Pipeline p = Pipeline.create(o);
          evaluateAll(p, job, o).apply("Save", ParDo.of(new SaveResult(dir)));
          String metrics = Jobs.metrics(Jobs.run(p, "evaluate"), "evaluate");
          Locations.write(keyFile, key.getBytes(StandardCharsets.UTF_8));
          doneBytes += bytes;
          double elapsed = (System.nanoTime() - jobsStarted) / 1e9;
          // The work of a set grows with its size, as its memory estimate does.
          System.out.printf("evaluate: job %d/%d %s done (%.0f s in all so far; ETA %s): Beam metrics%s%n", i + 1,
              jobs.size(), names, elapsed, i + 1 == jobs.size() ? "0:00:00"
                  : ProgressLine.eta(elapsed * (total - doneBytes) / doneBytes), metrics);
        }
        for (EmbeddingSet s : job) {
          results.add(new String(Locations.read(Locations.child(dir, SaveResult.fileName(s.name()))),
              StandardCharsets.UTF_8));
        }
      }
      Pipeline p = Pipeline.create(o);
      p.apply("Sets", Create.of(results).withCoder(StringUtf8Coder.of())).apply("WriteMetrics", write);
      Jobs.run(p, "evaluate (metrics)");
      Locations.deleteTree(parts);
    }
    long t2 = System.nanoTime();
    out.download(WriteEvaluationMetrics.METRICS_FILE);
    out.download(WriteEvaluationMetrics.PROJECTIONS_FILE);
    Path dir = out.local();
    Path file = dir.resolve(WriteEvaluationMetrics.METRICS_FILE);
    EvaluationMetrics metrics = MetricsJson.read(Files.readAllBytes(file), EvaluationMetrics.class)
        .withTiming(new EvaluationMetrics.Timing((t1 - t0) / 1e9, (t2 - t1) / 1e9));
    Files.writeString(file, MetricsJson.write(metrics) + "\n", StandardCharsets.UTF_8);
    printSummary(metrics);
    EvaluationReport.write(dir, metrics, main, links, headline.apply(metrics));
    out.upload();
    System.out.println("evaluate: metrics " + out.resolve(WriteEvaluationMetrics.METRICS_FILE));
    System.out.println("evaluate: report " + out.resolve("report.html"));
    return out.resolve("report.html");
  }

  /** A set to embed for comparison: which encoder, with which read-out, under which name. */
  record Baseline(String name, EncoderKind kind, Readout readout) {}

  /**
   * The comparison sets of {@code main}: with {@code withBaselines}, its momentum encoder, a
   * random-init encoder of the same architecture (both with main's read-out), raw pixels standardized
   * and centred on the mean image; then, for each extra read-out, main's encoder (and with
   * {@code withBaselines} the random-init encoder) read out that way.
   */
  static List<Baseline> baselines(EmbeddingsManifest main, List<Readout> extraReadouts, boolean withBaselines) {
    List<Baseline> out = new ArrayList<>();
    EncoderKind mainKind = EncoderKind.valueOf(main.encoder());
    Readout mainReadout = mainKind.isPixels() ? Readout.CLS
        : Readout.parse(main.config() == null ? "cls" : main.config().path("readout").asText("cls"));
    if (main.checkpoint() != null && withBaselines) {
      if (mainKind == EncoderKind.online) {
        out.add(new Baseline(EncoderKind.momentum.name(), EncoderKind.momentum, mainReadout));
      }
      out.add(new Baseline(EncoderKind.random.name(), EncoderKind.random, mainReadout));
    }
    for (EncoderKind pixels : List.of(EncoderKind.pixels, EncoderKind.centredPixels)) {
      if (withBaselines && mainKind != pixels) {
        out.add(new Baseline(pixels.name(), pixels, Readout.CLS));
      }
    }
    if (main.checkpoint() != null) {
      for (Readout r : extraReadouts) {
        if (!r.equals(mainReadout)) {
          out.add(new Baseline(mainKind + ":" + r.flag(), mainKind, r));
          if (withBaselines) {
            out.add(new Baseline(EncoderKind.random + ":" + r.flag(), EncoderKind.random, r));
          }
        }
      }
    }
    return out;
  }

  /** Embeds the comparison sets of {@code main}'s dataset in one job. */
  static List<EmbeddingSet> embedBaselines(EvaluateOptions o, EmbeddingsManifest main, String out) throws IOException {
    List<Readout> extra = new ArrayList<>();
    for (String r : o.getReadouts().split(",")) {
      if (!r.isBlank()) {
        try {
          extra.add(Readout.parse(r));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("--readouts=" + o.getReadouts() + ": " + e.getMessage(), e);
        }
      }
    }
    List<Baseline> baselines = baselines(main, extra, o.getBaselines());
    if (!baselines.isEmpty() && Jobs.submitOnly(o)) {
      // A Flex Template launch hands Dataflow one job and ends; the comparison sets are a job of their own.
      throw new IllegalArgumentException("--baselines=" + o.getBaselines() + " --readouts=" + o.getReadouts()
          + ": the comparison sets " + baselines.stream().map(Baseline::name).toList() + " are embedded by a job of "
          + "their own before the evaluation job, and a Flex Template launch hands Dataflow one job: give "
          + "--baselines=false and no other --readouts, or run evaluate with bin/symmim or infra/dataflow/submit.sh");
    }
    Pipeline p = Pipeline.create(o);
    List<EmbeddingSet> sets = new ArrayList<>();
    for (Baseline b : baselines) {
      String dir = Locations.child(Locations.child(out, "features"), b.name().replace(':', '-').replace('+', '-'));
      Map<String, Object> record = new LinkedHashMap<>();
      record.put("command", "symmim evaluate (comparison set " + b.name() + ")");
      record.put("codeVersion", BuildInfo.version());
      EmbedDataset.Plan plan = EmbedPlanner.plan(new EmbedPlanner.Request(main.dataset(), main.checkpoint(), dir,
          b.kind(), b.readout(), o.getBatchSize(), o.getDevice().kind, 0, RunnerDefaults.inferenceThreads(o),
          VertexExport.defaults(), record));
      p.apply("Embed-" + b.name(), EmbedDataset.of(plan));
      sets.add(new EmbeddingSet(b.name(), dir, null));
    }
    if (baselines.isEmpty()) {
      return sets;
    }
    System.out.println("evaluate: embedding comparison sets " + baselines.stream().map(Baseline::name).toList()
        + " of " + main.dataset());
    PipelineResult r;
    try (ProgressMeter.Reporting progress = ProgressMeter.of(ComputeEmbeddings.STAGE).report(10)) {
      r = Jobs.run(p, "evaluate (baselines)");
    }
    System.out.println("evaluate: baseline embedding metrics" + Jobs.metrics(r, "embed"));
    List<EmbeddingSet> read = new ArrayList<>();
    for (EmbeddingSet s : sets) {
      read.add(new EmbeddingSet(s.name(), s.dir(), readManifest(s.dir(), "embeddings (baseline " + s.name() + ")")));
    }
    return read;
  }

  private static PCollection<String> evaluateAll(Pipeline p, List<EmbeddingSet> sets, EvaluateOptions o) {
    List<PCollection<String>> results = new ArrayList<>();
    for (EmbeddingSet s : sets) {
      results.add(evaluate(p, s, o));
    }
    return PCollectionList.of(results).apply("AllSets", Flatten.pCollections());
  }

  /**
   * Heap a set's evaluation holds at its peak, roughly: the decoded Avro records (a boxed float is
   * about 20 bytes) of the bank and queries, and the probe's copies.
   */
  static long memoryEstimate(EmbeddingSet s) {
    return s.manifest().records() * s.manifest().dim() * 24L + (64L << 20);
  }

  /**
   * The sets grouped into jobs of at most {@code budget} bytes of {@link #memoryEstimate} (a set over
   * the budget gets a job of its own): one job when they all fit, so small evaluations pay one start-up.
   */
  /** What a job's saved results depend on: its sets (names, locations, models, sizes) and the evaluation flags. */
  static String jobKey(List<EmbeddingSet> job, EvaluateOptions o) {
    StringBuilder key = new StringBuilder();
    for (EmbeddingSet s : job) {
      key.append(s.name()).append(' ').append(s.dir()).append(' ').append(s.manifest().modelId()).append(' ')
          .append(s.manifest().dim()).append(' ').append(s.manifest().records()).append('\n');
    }
    return key.append(OptionDocs.values(o, EvaluateOptions.class)).append('\n').toString();
  }

  static List<List<EmbeddingSet>> jobs(List<EmbeddingSet> sets, long budget) {
    List<List<EmbeddingSet>> jobs = new ArrayList<>();
    List<EmbeddingSet> current = new ArrayList<>();
    long used = 0;
    for (EmbeddingSet s : sets) {
      long need = memoryEstimate(s);
      if (!current.isEmpty() && used + need > budget) {
        jobs.add(current);
        current = new ArrayList<>();
        used = 0;
      }
      current.add(s);
      used += need;
    }
    jobs.add(current);
    return jobs;
  }

  /** Writes each set's result (one JSON document) to {@code <dir>/<set>.json}, for the job that gathers them. */
  static final class SaveResult extends DoFn<String, Void> {
    private final String dir;

    SaveResult(String dir) {
      this.dir = dir;
    }

    static String fileName(String set) {
      return set.replaceAll("[^A-Za-z0-9._-]", "_") + ".json";
    }

    @ProcessElement
    public void process(@Element String result) throws IOException {
      String name = MetricsJson.read(result, SetEvaluation.class).name();
      Locations.write(Locations.child(dir, fileName(name)), result.getBytes(StandardCharsets.UTF_8));
    }
  }

  public static PCollection<String> evaluate(Pipeline p, EmbeddingSet s, EvaluateOptions o) {
    List<String> parts = new ArrayList<>();
    for (DatasetManifest.Shard shard : s.manifest().shards()) {
      parts.add(DatasetPaths.resolve(s.dir(), shard.path()).toString());
    }
    int[] ks = o.getK() == 200 ? new int[] {200} : new int[] {o.getK(), 200};
    EvaluateEmbeddings.Settings settings = new EvaluateEmbeddings.Settings(s.name(), "train", "val", ks,
        o.getKnnTemperature(), s.manifest().classes(), s.manifest().splits().get("train"),
        s.manifest().splits().get("val"), o.getBlockRows(),
        new LinearProbe.Protocol(o.getProbeEpochs(), 256, o.getProbeLr(), 0.9, 0.0, 0), o.getProjectionPoints());
    return p.apply("Parts-" + s.name(), Create.of(parts).withCoder(StringUtf8Coder.of()))
        .apply("Match-" + s.name(), FileIO.matchAll())
        .apply("Open-" + s.name(), FileIO.readMatches())
        .apply("Read-" + s.name(), AvroIO.readFiles(Embedding.class))
        .apply("Evaluate-" + s.name(), EvaluateEmbeddings.with(settings));
  }

  public static EvaluationMetrics header(EmbeddingsManifest main, String embeddings, EvaluateOptions o) {
    return new EvaluationMetrics("symmim evaluate", OptionDocs.values(o, EvaluateOptions.class), BuildInfo.version(),
        embeddings, main.dataset(), main.checkpoint(), main.modelId(), main.encoder(), main.classes(),
        Checkpoints.trainingData(main.checkpoint()), null, null);
  }

  static void printSummary(EvaluationMetrics metrics) {
    int k = metrics.sets().values().iterator().next().knn().primary().k();
    System.out.printf("evaluate: %-20s kNN k=%d top1  k=200 top1  linear top1  eff.rank%n", "set", k);
    for (SetEvaluation s : metrics.sets().values()) {
      KnnResult.AtK at200 = s.knn().at(200);
      System.out.printf("evaluate: %-20s %12.2f%% %10.2f%% %11.2f%% %9.1f%n", s.name(),
          100 * s.knn().primary().top1(), at200 == null ? Double.NaN : 100 * at200.top1(),
          s.linearProbe() == null ? Double.NaN : 100 * s.linearProbe().top1(),
          s.featureHealth() == null ? Double.NaN : s.featureHealth().effectiveRank());
    }
  }
}
