package dev.symmim.pipelines.finetune;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.symmim.model.checkpoint.Checkpoint;
import dev.symmim.model.checkpoint.Safetensors;
import dev.symmim.model.checkpoint.TimmVitWeights;
import dev.symmim.model.config.Normalization;
import dev.symmim.model.finetune.FineTuneConfig;
import dev.symmim.model.runtime.TorchRuntime;
import dev.symmim.model.vit.VitSpec;
import dev.symmim.pipelines.options.DeviceFlag;
import dev.symmim.pipelines.options.Flags;
import dev.symmim.pipelines.options.InitFlag;
import dev.symmim.pipelines.options.OptionDocs;
import dev.symmim.pipelines.options.TrainingRuns;
import dev.symmim.pipelines.runner.BuildInfo;
import dev.symmim.pipelines.runner.GitCommit;
import dev.symmim.pipelines.runner.Jobs;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.evaluate.MetricsJson;
import dev.symmim.transforms.finetune.FinetuneResult;
import dev.symmim.transforms.finetune.FinetuneRun;
import dev.symmim.transforms.finetune.FinetuningTask;
import dev.symmim.transforms.finetune.RunFinetuning;
import dev.symmim.transforms.io.Locations;
import dev.symmim.transforms.training.Checkpoints;
import dev.symmim.transforms.training.EncoderFiles;
import dev.symmim.transforms.training.GcsEndpoint;
import java.io.IOException;

import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.extensions.gcp.options.GcsOptions;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.transforms.Create;

/** {@code symmim finetune}: one {@link FinetuneRun} element -> {@link RunFinetuning} on one worker. */
public final class FinetunePipeline {
  private static final ObjectMapper JSON = new ObjectMapper();

  private FinetunePipeline() {}

  /** Checks each flag on its own; the message names the flag, its value and the rule. */
  static void validate(FinetuneOptions o) {
    OptionDocs.requireAll(o, FinetuneOptions.class);
    Flags.check(!o.getOutput().contains("://") || o.getOutput().startsWith("gs://"), "output", o.getOutput(),
        "must be a local directory or gs://bucket/path");
    InitFlag init = InitFlag.parse(o.getInit());
    if (init == InitFlag.checkpoint) {
      Flags.require(o.getCheckpoint(), "checkpoint", "the pretrain run whose encoder to fine-tune (or --init=random)");
    }
    if (init == InitFlag.file) {
      Flags.check(o.getCheckpoint() == null || o.getCheckpoint().isBlank(), "checkpoint", o.getCheckpoint(),
          "cannot be combined with --init=" + o.getInit() + " (the encoder comes from the file)");
    }
    Flags.check(o.getLabelFraction() > 0 && o.getLabelFraction() <= 1, "labelFraction", o.getLabelFraction(),
        "must be in (0, 1]");
    Flags.check(o.getLabelsPerClass() >= 0, "labelsPerClass", o.getLabelsPerClass(), "must be >= 0 (0: use --labelFraction)");
    Flags.check(o.getEpochs() > 0, "epochs", o.getEpochs(), "must be > 0");
    Flags.check(o.getBatchSize() >= 2, "batchSize", o.getBatchSize(), "must be >= 2");
    Flags.check(o.getLr() > 0, "lr", o.getLr(), "must be > 0");
    Flags.check(o.getWarmupFraction() >= 0 && o.getWarmupFraction() <= 1, "warmupFraction", o.getWarmupFraction(),
        "must be in [0, 1]");
    Flags.check(o.getLayerDecay() > 0 && o.getLayerDecay() <= 1, "layerDecay", o.getLayerDecay(), "must be in (0, 1]");
    Flags.check(o.getWeightDecay() >= 0, "weightDecay", o.getWeightDecay(), "must be >= 0");
    Flags.check(o.getLabelSmoothing() >= 0 && o.getLabelSmoothing() < 1, "labelSmoothing", o.getLabelSmoothing(),
        "must be in [0, 1)");
    Flags.check(o.getDropPath() >= 0 && o.getDropPath() < 1, "dropPath", o.getDropPath(), "must be in [0, 1)");
    Flags.check(o.getMinScale() > 0 && o.getMinScale() <= 1, "minScale", o.getMinScale(), "must be in (0, 1]");
    Flags.check(o.getEvalEveryEpochs() >= 0, "evalEveryEpochs", o.getEvalEveryEpochs(), "must be >= 0");
    TrainingRuns.validate(o, o.getEpochs());
  }

  /** Checks the flags against the dataset and the checkpoint and builds the run; every error names the flag or file. */
  public static FinetuneRun plan(FinetuneOptions o) throws IOException {
    validate(o);
    FileSystems.setDefaultPipelineOptions(o);
    DatasetManifest m = TrainingRuns.trainingData(o.getData());
    DatasetManifest.Split train = m.splits().get("train");
    DatasetManifest.Split val = m.splits().get("val");
    Flags.check(m.classes() != null && m.classes().size() >= 2, "data", o.getData(),
        "has no labels (fewer than 2 classes): fine-tuning needs a labelled dataset (class folders, IDX with labels, CIFAR)");
    Flags.check(val != null && val.records() > 0, "data", o.getData(), "has no val split to evaluate on");
    long labelled = checkLabels(o, m, train);
    Flags.check(labelled >= o.getBatchSize(), "batchSize", o.getBatchSize(), "exceeds the " + labelled
        + " labelled train images (--labelFraction=" + o.getLabelFraction() + ", --labelsPerClass=" + o.getLabelsPerClass() + ")");
    if (o.getDevice() == DeviceFlag.gpu && TorchRuntime.engine().getGpuCount() == 0) {
      throw new IllegalArgumentException("--device=gpu: the PyTorch engine reports no GPU on this machine "
          + "(use --device=auto or cpu)");
    }

    String checkpointDir = null;
    VitSpec encoder;
    float[] mean = TrainingRuns.floats(m.channelMean());
    float[] std = TrainingRuns.floats(m.channelStd());
    InitFlag init = InitFlag.parse(o.getInit());
    if (init == InitFlag.file) {
      checkpointDir = Locations.absolute(o.getInit());
      Safetensors.Contents file;
      try {
        file = EncoderFiles.read(checkpointDir);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--init=" + o.getInit() + ": " + e.getMessage(), e);
      }
      encoder = fileEncoder(o, file, m.imageSize(), m.channels());
      Normalization stats = EncoderFiles.normalization(file.metadata());
      if (stats != null) { // the encoder expects inputs normalized as it was trained
        Flags.check(stats.channels() == m.channels(), "init", o.getInit(), "records a normalisation for "
            + stats.channels() + " channels but --data=" + o.getData() + " holds " + m.channels() + "-channel images");
        mean = stats.mean();
        std = stats.std();
      }
    } else if (o.getCheckpoint() != null && !o.getCheckpoint().isBlank()) {
      Checkpoint c;
      try {
        checkpointDir = Checkpoints.locate(o.getCheckpoint());
        c = Checkpoints.shared(Checkpoints.local(checkpointDir));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--checkpoint=" + o.getCheckpoint() + ": " + e.getMessage(), e);
      }
      encoder = c.config().encoder();
      Flags.check(encoder.channels() == m.channels(), "checkpoint", o.getCheckpoint(), "has an encoder for "
          + encoder.channels() + "-channel images but --data=" + o.getData() + " holds " + m.channels() + "-channel images");
      // The encoder expects inputs normalized as in its pretraining.
      mean = c.config().normalization().mean();
      std = c.config().normalization().std();
    } else {
      encoder = TrainingRuns.encoder(o, m.imageSize(), m.channels());
    }
    long stepsPerEpoch = labelled / o.getBatchSize();
    int threads = TrainingRuns.threads(o);
    FineTuneConfig config = FineTuneConfig.builder(encoder, m.classes().size())
        .pooling(o.getPooling().pooling)
        .batchSize(o.getBatchSize())
        .baseLearningRate(o.getLr())
        .schedule(o.getEpochs() * stepsPerEpoch, o.getWarmupFraction())
        .weightDecay(o.getWeightDecay())
        .layerDecay(o.getLayerDecay())
        .labelSmoothing(o.getLabelSmoothing())
        .dropPath(o.getDropPath())
        .augmentation(o.getMinScale(), o.getFlip())
        .channelStats(mean, std)
        .seed(o.getSeed())
        .device(o.getDevice().kind)
        .threads(threads, o.getDeterministic() ? 1 : 0)
        .build();

    ObjectNode info = JSON.createObjectNode();
    info.put("codeVersion", BuildInfo.version());
    info.put("gitCommit", GitCommit.current());
    info.put("command", "symmim finetune");
    info.set("flags", JSON.valueToTree(OptionDocs.values(o, FinetuneOptions.class)));
    String runDir = Locations.absolute(o.getOutput()).replaceAll("/+$", "");
    return new FinetuneRun(Locations.absolute(o.getData()), runDir, config.toJson(),
        init == InitFlag.random ? null : checkpointDir, o.getEncoder().name(),
        new FinetuneRun.LabelSelection(o.getLabelFraction(), o.getLabelsPerClass(), o.getSeed()), o.getEpochs(),
        o.getStages(), o.getCheckpointEverySteps(), o.getCheckpointEveryMinutes(), o.getLoaderThreads(), o.getMaxRollbacks(),
        Long.getLong("symmim.progressSeconds", 10), o.getMetricsEverySteps(), o.getEvalEveryEpochs(), info.toString(),
        GcsEndpoint.fromFlag(o.as(GcsOptions.class).getGcsEndpoint()));
  }

  /**
   * The labelled train images the flags select, from the manifest's class counts (as {@code LabelSubsets}
   * draws them: round(fraction x count), at least 1, per class); refuses a class the selection would
   * leave empty or short, naming it.
   */
  static long checkLabels(FinetuneOptions o, DatasetManifest m, DatasetManifest.Split train) {
    Map<String, Long> counts = train.classCounts();
    long total = 0;
    for (String c : m.classes()) {
      long n = counts == null ? 0 : counts.getOrDefault(c, 0L);
      Flags.check(n > 0, "data", o.getData(), "has no train examples of class '" + c + "': every class needs labels");
      if (o.getLabelsPerClass() > 0) {
        Flags.check(n >= o.getLabelsPerClass(), "labelsPerClass", o.getLabelsPerClass(),
            "exceeds the " + n + " train examples of class '" + c + "'");
        total += o.getLabelsPerClass();
      } else {
        total += Math.max(1, Math.round(o.getLabelFraction() * n));
      }
    }
    return total;
  }

  /**
   * The encoder a timm-named file holds ({@link TimmVitWeights#inferSpec}) at the dataset's image size
   * (or --viewSize), the heads from the file's metadata or --heads; --dim/--depth, when given, must
   * agree; the file's tensors must then load (checked here, so a mismatch fails before any work).
   */
  static VitSpec fileEncoder(FinetuneOptions o, Safetensors.Contents file, int size, int channels) {
    int viewSize = o.getViewSize() > 0 ? o.getViewSize() : size;
    int recorded = EncoderFiles.heads(file.metadata());
    Flags.check(recorded == 0 || o.getHeads() == 0 || recorded == o.getHeads(), "heads", o.getHeads(),
        "contradicts the " + recorded + " heads recorded in --init=" + o.getInit());
    int heads = recorded > 0 ? recorded : o.getHeads();
    Flags.check(heads > 0, "heads", o.getHeads(), "is needed: --init=" + o.getInit() + " records no num_heads in its "
        + "metadata (tensor shapes cannot show the head count)");
    VitSpec spec;
    try {
      spec = TimmVitWeights.inferSpec(file.tensors(), viewSize, heads);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--init=" + o.getInit() + ": " + e.getMessage(), e);
    }
    Flags.check(o.getDim() == 0 || o.getDim() == spec.dim(), "dim", o.getDim(), "contradicts --init=" + o.getInit()
        + " (width " + spec.dim() + ")");
    Flags.check(o.getDepth() == 0 || o.getDepth() == spec.depth(), "depth", o.getDepth(), "contradicts --init="
        + o.getInit() + " (depth " + spec.depth() + ")");
    Flags.check(spec.channels() == channels, "init", o.getInit(), "holds an encoder for " + spec.channels()
        + "-channel images but --data=" + o.getData() + " holds " + channels + "-channel images");
    try {
      TimmVitWeights.importEncoder(file.tensors(), spec);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--init=" + o.getInit() + ": " + e.getMessage(), e);
    }
    return spec;
  }

  public static Pipeline build(FinetuneOptions o, FinetuneRun run) {
    Pipeline p = Pipeline.create(o);
    p.apply("Run", Create.of(run).withCoder(SerializableCoder.of(FinetuneRun.class)))
        .apply("Finetune", RunFinetuning.create());
    return p;
  }

  /** Runs (or resumes) the run to its end; returns its result (metrics.json). */
  public static FinetuneResult run(FinetuneOptions o) throws IOException {
    FinetuneRun run = plan(o);
    PipelineResult result = Jobs.run(build(o, run), "finetune");
    System.out.println("finetune: Beam counters" + Jobs.metrics(result, RunFinetuning.class.getName()));
    FinetuneResult r = MetricsJson.read(Locations.read(Locations.child(run.runDir(), FinetuningTask.RESULT_FILE)),
        FinetuneResult.class);
    System.out.printf("finetune: val top-1 %.2f%% (+- %.2f SE on %d images), top-5 %.2f%%; %d labelled images, %d steps; "
        + "%s%n", 100 * r.top1(), 100 * r.top1StandardError(), r.valQueries(), 100 * r.top5(), r.labelled(), r.steps(),
        Locations.child(run.runDir(), FinetuningTask.RESULT_FILE));
    return r;
  }


}
