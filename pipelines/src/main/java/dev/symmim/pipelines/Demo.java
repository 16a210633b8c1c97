package dev.symmim.pipelines;

import dev.symmim.transforms.dataset.Locations;
import java.io.File;
import java.nio.file.Path;

/** {@code symmim demo}: every stage that exists, end to end on the shipped dataset. */
final class Demo {
  private Demo() {}

  static Path shippedData() {
    String home = System.getProperty("symmim.home", ".");
    return Path.of(home, "data", "fashion-mnist-subset").toAbsolutePath().normalize();
  }

  static int run(DemoOptions o) throws Exception {
    String data = o.getData() != null ? o.getData() : shippedData().toString();
    if (!new File(data).exists() && !data.contains("://")) {
      throw new IllegalArgumentException("--data=" + data + " does not exist (run from the repository or set -Dsymmim.home)");
    }
    String out = EmbedPipeline.absolute(o.getOutput() == null ? "out/demo" : o.getOutput()).replaceAll("/+$", "");
    Flags.check(!out.contains("://") || out.startsWith("gs://"), "output", out, "must be a local directory or gs://bucket/path");
    org.apache.beam.sdk.io.FileSystems.setDefaultPipelineOptions(o);
    PrepareOptions prepare = o.as(PrepareOptions.class);
    prepare.setInput(data);
    prepare.setOutput(out + "/prepared");
    PreparePipeline.run(prepare);

    // A short SymMIM pretraining (about a minute on 2 CPU cores): a dim-64, depth-4 ViT, 2 epochs of 2048 images.
    deleteRun(out + "/pretrain"); // a fresh run each time (re-running the same flags would only resume)
    PretrainOptions pretrain = o.as(PretrainOptions.class);
    pretrain.setData(out + "/prepared");
    pretrain.setOutput(out + "/pretrain");
    pretrain.setDim(64);
    pretrain.setDepth(4);
    pretrain.setHeads(2);
    pretrain.setHeadHidden(256);
    pretrain.setHeadOut(64);
    pretrain.setMaxImages(2048);
    pretrain.setEpochs(2);
    pretrain.setStages(2);
    pretrain.setLr(2e-3);
    pretrain.setDeterministic(true);
    pretrain.setThreads(1);
    PretrainPipeline.run(pretrain);
    try (ReportDirectory pages = ReportDirectory.of(out)) {
      Path curve = LossCurvePage.write(out + "/pretrain", pages.local().resolve("pretrain.html"));
      DatasetReportPage.write(out + "/prepared", pages.local().resolve("dataset.html"),
          java.util.Map.of(curve.getFileName().toString(), "Pretraining loss curve"));
      pages.upload();
      System.out.println("demo: pretraining loss curve " + pages.resolve("pretrain.html"));
      System.out.println("demo: dataset report " + pages.resolve("dataset.html"));
    }

    // Fresh options per stage: two stages may define the same flag with different defaults (--batchSize).
    EmbedOptions embed = stage(o, EmbedOptions.class);
    embed.setData(out + "/prepared");
    embed.setCheckpoint(out + "/pretrain");
    embed.setOutput(out + "/embeddings");
    EmbedPipeline.run(embed);

    IndexOptions index = stage(o, IndexOptions.class);
    index.setEmbeddings(out + "/embeddings");
    index.setOutput(out + "/index");
    IndexPipeline.run(index);

    EvaluateOptions evaluate = stage(o, EvaluateOptions.class);
    evaluate.setEmbeddings(out + "/embeddings");
    evaluate.setOutput(out);
    String report = EvaluatePipeline.run(evaluate, java.util.Map.of("dataset.html", "Prepared dataset (counts, samples, shards)",
        "pretrain.html", "Pretraining loss curve (interactive SVG)", "index/index.json",
        "HNSW index manifest (bin/symmim search --index=" + out + "/index --id=...)"));
    System.out.println("demo: report " + report);
    return 0;
  }

  /** Options of another command carrying over the demo's runner flags. */
  static <T extends org.apache.beam.sdk.options.PipelineOptions> T stage(org.apache.beam.sdk.options.PipelineOptions o, Class<T> type) {
    java.util.List<String> args = new java.util.ArrayList<>();
    args.add("--runner=" + o.getRunner().getSimpleName());
    if (o.getRunner().getSimpleName().startsWith("Flink")) {
      var flink = o.as(org.apache.beam.runners.flink.FlinkPipelineOptions.class);
      args.add("--flinkMaster=" + flink.getFlinkMaster());
      args.add("--parallelism=" + flink.getParallelism());
    }
    // gs:// paths of every stage reach the same GCS (a --gcsEndpoint test server) with the same credentials.
    var gcs = o.as(org.apache.beam.sdk.extensions.gcp.options.GcsOptions.class);
    if (gcs.getGcsEndpoint() != null) {
      args.add("--gcsEndpoint=" + gcs.getGcsEndpoint());
    }
    if (gcs.getCredentialFactoryClass() != null
        && gcs.getCredentialFactoryClass() != org.apache.beam.sdk.extensions.gcp.auth.GcpCredentialFactory.class) {
      args.add("--credentialFactoryClass=" + gcs.getCredentialFactoryClass().getName());
    }
    if (o.getRunner().getSimpleName().startsWith("Spark")) {
      args.add("--sparkMaster=" + o.as(org.apache.beam.runners.spark.SparkPipelineOptions.class).getSparkMaster());
    }
    return Symmim.options(args.toArray(new String[0]), type);
  }

  /** Deletes a run directory (local, or every object under a gs:// one). */
  private static void deleteRun(String dir) throws java.io.IOException {
    if (!Locations.isUri(dir)) {
      deleteTree(Path.of(dir));
      return;
    }
    var match = org.apache.beam.sdk.io.FileSystems.match(dir + "/**",
        org.apache.beam.sdk.io.fs.EmptyMatchTreatment.ALLOW);
    if (match.status() == org.apache.beam.sdk.io.fs.MatchResult.Status.OK && !match.metadata().isEmpty()) {
      org.apache.beam.sdk.io.FileSystems.delete(match.metadata().stream()
          .map(org.apache.beam.sdk.io.fs.MatchResult.Metadata::resourceId).toList(),
          org.apache.beam.sdk.io.fs.MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    }
  }

  private static void deleteTree(Path dir) throws java.io.IOException {
    if (!java.nio.file.Files.exists(dir)) {
      return;
    }
    try (java.util.stream.Stream<Path> s = java.nio.file.Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        java.nio.file.Files.delete(p);
      }
    }
  }
}
