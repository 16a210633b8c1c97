package dev.symmim.pipelines.workflows;

import dev.symmim.pipelines.runner.BuildInfo;
import dev.symmim.pipelines.embed.EmbedOptions;
import dev.symmim.pipelines.embed.EmbedPipeline;
import dev.symmim.pipelines.evaluate.EvaluateOptions;
import dev.symmim.pipelines.evaluate.EvaluatePipeline;
import dev.symmim.pipelines.index.IndexOptions;
import dev.symmim.pipelines.index.IndexPipeline;
import dev.symmim.pipelines.options.Flags;
import dev.symmim.pipelines.prepare.PrepareOptions;
import dev.symmim.pipelines.prepare.PreparePipeline;
import dev.symmim.pipelines.pretrain.PretrainOptions;
import dev.symmim.pipelines.pretrain.PretrainPipeline;
import dev.symmim.pipelines.report.DatasetReportPage;
import dev.symmim.pipelines.report.LossCurve;
import dev.symmim.pipelines.report.ReportDirectory;
import dev.symmim.pipelines.runner.StageOptions;
import dev.symmim.transforms.io.Locations;
import java.io.File;
import java.nio.file.Path;
import java.util.Map;
import org.apache.beam.sdk.io.FileSystems;

/** {@code symmim demo}: every stage that exists, end to end on the shipped dataset. */
public final class Demo {
  private Demo() {}

  public static int run(DemoOptions o) throws Exception {
    String data = o.getData().isBlank() ? BuildInfo.shippedDataset().toString() : o.getData();
    if (!new File(data).exists() && !data.contains("://")) {
      throw new IllegalArgumentException("--data=" + data + " does not exist (run from the repository or set -Dsymmim.home)");
    }
    String out = Locations.absolute(o.getOutput()).replaceAll("/+$", "");
    Flags.check(!out.contains("://") || out.startsWith("gs://"), "output", out, "must be a local directory or gs://bucket/path");
    FileSystems.setDefaultPipelineOptions(o);
    PrepareOptions prepare = StageOptions.derive(o, PrepareOptions.class);
    prepare.setInput(data);
    prepare.setOutput(out + "/prepared");
    PreparePipeline.run(prepare);

    // A short SymMIM pretraining (about a minute on 2 CPU cores): a dim-64, depth-4 ViT, 2 epochs of 2048 images.
    Locations.deleteTree(out + "/pretrain"); // a fresh run each time (re-running the same flags would only resume)
    PretrainOptions pretrain = StageOptions.derive(o, PretrainOptions.class);
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
      Path curve = LossCurve.page(out + "/pretrain", pages.local().resolve("pretrain.html"));
      DatasetReportPage.write(out + "/prepared", pages.local().resolve("dataset.html"),
          Map.of(curve.getFileName().toString(), "Pretraining loss curve"));
      pages.upload();
      System.out.println("demo: pretraining loss curve " + pages.resolve("pretrain.html"));
      System.out.println("demo: dataset report " + pages.resolve("dataset.html"));
    }

    EmbedOptions embed = StageOptions.derive(o, EmbedOptions.class);
    embed.setData(out + "/prepared");
    embed.setCheckpoint(out + "/pretrain");
    embed.setOutput(out + "/embeddings");
    EmbedPipeline.run(embed);

    IndexOptions index = StageOptions.derive(o, IndexOptions.class);
    index.setEmbeddings(out + "/embeddings");
    index.setOutput(out + "/index");
    IndexPipeline.run(index);

    EvaluateOptions evaluate = StageOptions.derive(o, EvaluateOptions.class);
    evaluate.setEmbeddings(out + "/embeddings");
    evaluate.setOutput(out);
    String report = EvaluatePipeline.run(evaluate, Map.of("dataset.html", "Prepared dataset (counts, samples, shards)",
        "pretrain.html", "Pretraining loss curve", "index/index.json",
        "HNSW index manifest (bin/symmim search --index=" + out + "/index --id=...)"));
    System.out.println("demo: report " + report);
    return 0;
  }
}
