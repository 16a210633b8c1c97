package dev.symmim.pipelines.workflows;

import dev.symmim.pipelines.embed.EmbedOptions;
import dev.symmim.pipelines.embed.EmbedPipeline;
import dev.symmim.pipelines.evaluate.EvaluateOptions;
import dev.symmim.pipelines.evaluate.EvaluatePipeline;
import dev.symmim.pipelines.finetune.FinetuneOptions;
import dev.symmim.pipelines.finetune.FinetunePipeline;
import dev.symmim.pipelines.index.IndexOptions;
import dev.symmim.pipelines.index.IndexPipeline;
import dev.symmim.pipelines.options.Flags;
import dev.symmim.pipelines.options.InitFlag;
import dev.symmim.pipelines.prepare.PrepareOptions;
import dev.symmim.pipelines.prepare.PreparePipeline;
import dev.symmim.pipelines.pretrain.PretrainOptions;
import dev.symmim.pipelines.pretrain.PretrainPipeline;
import dev.symmim.pipelines.report.DatasetReportPage;
import dev.symmim.pipelines.report.LossCurve;
import dev.symmim.pipelines.report.ReportDirectory;
import dev.symmim.pipelines.runner.BuildInfo;
import dev.symmim.pipelines.runner.StageOptions;
import dev.symmim.transforms.evaluate.EvaluationMetrics;
import dev.symmim.transforms.evaluate.SetEvaluation;
import dev.symmim.transforms.finetune.FinetuneResult;
import dev.symmim.transforms.io.Locations;
import java.io.File;
import java.nio.file.Path;
import java.util.Map;
import org.apache.beam.sdk.io.FileSystems;

/**
 * {@code symmim demo}: every stage end to end on the shipped dataset, and what pretraining bought,
 * in words: the k-NN of the pretrained encoder against a random one, and fine-tuning on 10% of the
 * labels from the checkpoint against the same recipe from scratch.
 */
public final class Demo {
  /** The labelled fraction the two fine-tuning runs use. */
  static final double LABELS = 0.1;

  private Demo() {}

  public static int run(DemoOptions o) throws Exception {
    long t0 = System.nanoTime();
    String data = o.getData().isBlank() ? BuildInfo.shippedDataset().toString() : o.getData();
    if (!new File(data).exists() && !data.contains("://")) {
      throw new IllegalArgumentException("--data=" + data + " does not exist (run from the repository or set -Dsymmim.home)");
    }
    Flags.check(o.getPretrainEpochs() >= 1, "pretrainEpochs", o.getPretrainEpochs(), "must be at least 1");
    Flags.check(o.getFinetuneEpochs() >= 1, "finetuneEpochs", o.getFinetuneEpochs(), "must be at least 1");
    String out = Locations.absolute(o.getOutput()).replaceAll("/+$", "");
    Flags.check(!out.contains("://") || out.startsWith("gs://"), "output", out, "must be a local directory or gs://bucket/path");
    FileSystems.setDefaultPipelineOptions(o);
    PrepareOptions prepare = StageOptions.derive(o, PrepareOptions.class);
    prepare.setInput(data);
    prepare.setOutput(out + "/prepared");
    prepare.setOverwrite(true); // the demo starts afresh each time
    PreparePipeline.run(prepare);

    // A short SymMIM pretraining (about two minutes on 2 idle CPU cores): the README's small-CPU recipe
    // (a dim-64, depth-4 ViT) for --pretrainEpochs (8) epochs of the 5,000 train images.
    Locations.deleteTree(out + "/pretrain"); // a fresh run each time (re-running the same flags would only resume)
    PretrainOptions pretrain = StageOptions.derive(o, PretrainOptions.class);
    pretrain.setData(out + "/prepared");
    pretrain.setOutput(out + "/pretrain");
    pretrain.setDim(64);
    pretrain.setDepth(4);
    pretrain.setHeads(4);
    pretrain.setHeadHidden(1024);
    pretrain.setEpochs(o.getPretrainEpochs());
    pretrain.setLr(1.5e-3);
    pretrain.setWarmupEpochs(0.5);
    pretrain.setView1MinScale(0.5);
    pretrain.setView2MinScale(0.5);
    pretrain.setMomentum(0.996);
    pretrain.setDeterministic(true);
    pretrain.setThreads(1);
    long p0 = System.nanoTime();
    PretrainPipeline.run(pretrain);
    double pretrainSeconds = (System.nanoTime() - p0) / 1e9;
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

    // Fine-tuning with 10% of the labels: from the checkpoint, and the same recipe from a random encoder.
    FinetuneResult pretrained = finetune(o, out, InitFlag.checkpoint);
    FinetuneResult scratch = finetune(o, out, InitFlag.random);

    EvaluateOptions evaluate = StageOptions.derive(o, EvaluateOptions.class);
    evaluate.setEmbeddings(out + "/embeddings");
    evaluate.setOutput(out);
    String[] headline = new String[1];
    String report = EvaluatePipeline.run(evaluate, Map.of("dataset.html", "Prepared dataset (counts, samples, shards)",
        "pretrain.html", "Pretraining loss curve", "index/index.json",
        "HNSW index manifest (bin/symmim search --index=" + out + "/index --id=...)",
        "finetune-pretrained/metrics.json", "Fine-tuning from the checkpoint (metrics.json)",
        "finetune-scratch/metrics.json", "Fine-tuning from scratch (metrics.json)"),
        m -> headline[0] = headline(m, pretrainSeconds, pretrained, scratch, o.getFinetuneEpochs()));
    System.out.println("demo: report " + report);
    System.out.println("demo: " + headline[0]);
    System.out.printf("demo: done in %.1f min%n", (System.nanoTime() - t0) / 60e9);
    return 0;
  }

  private static FinetuneResult finetune(DemoOptions o, String out, InitFlag init) throws Exception {
    String dir = out + (init == InitFlag.checkpoint ? "/finetune-pretrained" : "/finetune-scratch");
    Locations.deleteTree(dir);
    FinetuneOptions f = StageOptions.derive(o, FinetuneOptions.class);
    f.setData(out + "/prepared");
    f.setCheckpoint(out + "/pretrain");
    f.setInit(init.name());
    f.setOutput(dir);
    f.setLabelFraction(LABELS);
    f.setEpochs(o.getFinetuneEpochs());
    f.setDeterministic(true);
    f.setThreads(1);
    return FinetunePipeline.run(f);
  }

  /** What pretraining bought, in words, with the numbers' protocol. */
  static String headline(EvaluationMetrics m, double pretrainSeconds, FinetuneResult pretrained, FinetuneResult scratch,
      int finetuneEpochs) {
    SetEvaluation online = m.sets().get("online");
    SetEvaluation random = m.sets().get("random");
    SetEvaluation pixels = m.sets().get("centredPixels");
    double gain = 100 * (online.knn().primary().top1() - random.knn().primary().top1());
    long queries = online.knn().queries();
    return String.format("Pretraining (%.1f min) added %.1f points of k-NN over a random encoder of the same "
        + "architecture (online %.1f%% vs random %.1f%%; k=%d on %d queries, SE about %.1f points; raw pixels centred "
        + "%.1f%%). Fine-tuned on %d labels (%.0f%%): %.1f%% from the checkpoint vs %.1f%% from scratch with the same "
        + "recipe (%d epochs; SE about %.1f points each).", pretrainSeconds / 60, gain,
        100 * online.knn().primary().top1(), 100 * random.knn().primary().top1(), online.knn().primary().k(), queries,
        100 * Math.sqrt(0.25 / queries), pixels == null ? Double.NaN : 100 * pixels.knn().primary().top1(),
        pretrained.labelled(), 100 * LABELS, 100 * pretrained.top1(), 100 * scratch.top1(), finetuneEpochs,
        100 * pretrained.top1StandardError());
  }
}
