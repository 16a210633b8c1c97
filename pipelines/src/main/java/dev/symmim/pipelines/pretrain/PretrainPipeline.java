package dev.symmim.pipelines.pretrain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.symmim.model.checkpoint.Safetensors;
import dev.symmim.model.checkpoint.TimmVitWeights;
import dev.symmim.model.config.Augmentation;
import dev.symmim.model.config.ContrastiveHeads;
import dev.symmim.model.config.Losses;
import dev.symmim.model.config.Masking;
import dev.symmim.model.config.Normalization;
import dev.symmim.model.config.Optimisation;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.model.config.Precision;
import dev.symmim.model.config.RunSettings;
import dev.symmim.model.config.Schedule;
import dev.symmim.model.runtime.TorchRuntime;
import dev.symmim.model.vit.VitSpec;
import dev.symmim.pipelines.options.DeviceFlag;
import dev.symmim.pipelines.options.Flags;
import dev.symmim.pipelines.options.MaskFlag;
import dev.symmim.pipelines.options.ModelSize;
import dev.symmim.pipelines.options.OptionDocs;
import dev.symmim.pipelines.options.TrainingRuns;
import dev.symmim.pipelines.runner.BuildInfo;
import dev.symmim.pipelines.runner.GitCommit;
import dev.symmim.pipelines.runner.Jobs;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.io.Locations;
import dev.symmim.transforms.pretrain.PretrainRun;
import dev.symmim.transforms.pretrain.RunPretraining;
import dev.symmim.transforms.training.EncoderFiles;
import dev.symmim.transforms.training.GcsEndpoint;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.extensions.gcp.options.GcsOptions;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.transforms.Create;

/** {@code symmim pretrain}: one {@link PretrainRun} element -> {@link RunPretraining} on one worker. */
public final class PretrainPipeline {
  private static final ObjectMapper JSON = new ObjectMapper();

  private PretrainPipeline() {}

  /** Checks each flag on its own; the message names the flag, its value and the rule. */
  static void validate(PretrainOptions o) {
    OptionDocs.requireAll(o, PretrainOptions.class);
    Flags.check(!o.getOutput().contains("://") || o.getOutput().startsWith("gs://"), "output", o.getOutput(),
        "must be a local directory or gs://bucket/path");
    Flags.check(o.getEpochs() > 0, "epochs", o.getEpochs(), "must be > 0");
    Flags.check(o.getBatchSize() >= 2, "batchSize", o.getBatchSize(), "must be >= 2 (the contrastive loss needs negatives)");
    Flags.check(o.getLr() > 0, "lr", o.getLr(), "must be > 0");
    TrainingRuns.validate(o, o.getEpochs());
    Flags.check(o.getPatchSize() > 0, "patchSize", o.getPatchSize(), "must be > 0");
    Flags.check(o.getViewSize() >= 0, "viewSize", o.getViewSize(), "must be >= 0 (0: the dataset's)");
    Flags.check(o.getMaskRatio() > 0 && o.getMaskRatio() < 1, "maskRatio", o.getMaskRatio(), "must be in (0, 1)");
    Flags.check(o.getMaskBlock() > 0, "maskBlock", o.getMaskBlock(), "must be > 0");
    Flags.check(o.getMaxImages() >= 0, "maxImages", o.getMaxImages(), "must be >= 0");
    Flags.check(o.getBenchBareSteps() >= 0, "benchBareSteps", o.getBenchBareSteps(), "must be >= 0");
    Flags.check(o.getWarmupEpochs() == -1 || (o.getWarmupEpochs() >= 0 && o.getWarmupEpochs() <= o.getEpochs()),
        "warmupEpochs", o.getWarmupEpochs(), "must be -1 (METHOD.md rule) or in [0, --epochs=" + o.getEpochs() + "]");
    Flags.check(o.getContrastiveTemperature() > 0, "contrastiveTemperature", o.getContrastiveTemperature(), "must be > 0");
    Flags.check(o.getContrastiveWeight() >= 0, "contrastiveWeight", o.getContrastiveWeight(), "must be >= 0");
    Flags.check(o.getMomentum() >= 0 && o.getMomentum() <= 1, "momentum", o.getMomentum(), "must be in [0, 1]");
    Flags.check(o.getView1MinScale() > 0 && o.getView1MinScale() <= 1, "view1MinScale", o.getView1MinScale(),
        "must be in (0, 1]");
    Flags.check(o.getView2MinScale() > 0 && o.getView2MinScale() <= 1, "view2MinScale", o.getView2MinScale(),
        "must be in (0, 1]");
    Flags.check(o.getDim() >= 0 && o.getDepth() >= 0 && o.getHeads() >= 0, "dim/depth/heads",
        o.getDim() + "/" + o.getDepth() + "/" + o.getHeads(), "must be >= 0");
    Flags.check(o.getHeadHidden() >= 0 && o.getHeadOut() > 0, "headHidden/headOut",
        o.getHeadHidden() + "/" + o.getHeadOut(), "must be >= 0 and > 0");
  }

  /** Checks the flags against the dataset and builds the run; every error names the flag or file. */
  public static PretrainRun plan(PretrainOptions o) throws IOException {
    validate(o);
    FileSystems.setDefaultPipelineOptions(o);
    DatasetManifest m = TrainingRuns.trainingData(o.getData());
    DatasetManifest.Split train = m.splits().get("train");
    int size = o.getViewSize() > 0 ? o.getViewSize() : m.imageSize();
    String sizeFlag = o.getViewSize() > 0 ? "viewSize" : "data (image size " + size + ")";
    Flags.check(size % o.getPatchSize() == 0, "patchSize", o.getPatchSize(),
        "does not divide the image size " + size + " (" + sizeFlag + ")");
    int grid = size / o.getPatchSize();
    if (o.getMask() == MaskFlag.symmetric) {
      Flags.check(grid % o.getMaskBlock() == 0, "maskBlock", o.getMaskBlock(), "does not divide the patch grid side "
          + grid + " (image " + size + " / patch " + o.getPatchSize() + "); the M2 mask would not be symmetric");
    }
    long images = o.getMaxImages() > 0 ? Math.min(o.getMaxImages(), train.records()) : train.records();
    Flags.check(images >= o.getBatchSize(), "batchSize", o.getBatchSize(), "exceeds the " + images + " train images");
    long stepsPerEpoch = images / o.getBatchSize();
    if (o.getDevice() == DeviceFlag.gpu && TorchRuntime.engine().getGpuCount() == 0) {
      throw new IllegalArgumentException("--device=gpu: the PyTorch engine reports no GPU on this machine "
          + "(use --device=auto or cpu)");
    }
    PretrainConfig config = config(o, TrainingRuns.encoder(o, size, m.channels()), stepsPerEpoch,
        new Normalization(TrainingRuns.floats(m.channelMean()), TrainingRuns.floats(m.channelStd())));

    String init = initWeights(o, config.encoder());

    ObjectNode info = JSON.createObjectNode();
    info.put("codeVersion", BuildInfo.version());
    info.put("gitCommit", GitCommit.current());
    info.put("command", "symmim pretrain");
    info.set("flags", JSON.valueToTree(OptionDocs.values(o, PretrainOptions.class)));
    List<Long> faults = o.getFaultBatches().isBlank() ? List.of()
        : Arrays.stream(o.getFaultBatches().split(",")).map(String::trim).map(Long::parseLong).toList();
    String runDir = Locations.absolute(o.getOutput()).replaceAll("/+$", "");
    return new PretrainRun(o.getData(), runDir, config.toJson(),
        o.getEpochs(), o.getStages(), o.getCheckpointEverySteps(), o.getCheckpointEveryMinutes(), o.getMaxImages(), o.getLoaderThreads(),
        o.getMaxRollbacks(), Long.getLong("symmim.progressSeconds", 10), o.getMetricsEverySteps(), info.toString(),
        faults, o.getBenchBareSteps(), GcsEndpoint.fromFlag(o.as(GcsOptions.class).getGcsEndpoint()), init);
  }

  /**
   * The {@code --init} file as an absolute location, checked against the encoder now (a missing
   * tensor or another shape fails here, naming the tensor and both shapes); null without --init.
   */
  static String initWeights(PretrainOptions o, VitSpec encoder) {
    if (o.getInit() == null || o.getInit().isBlank()) {
      return null;
    }
    Flags.check(EncoderFiles.isSafetensors(o.getInit()), "init", o.getInit(), "must be a .safetensors file (local or gs://)");
    String location = Locations.absolute(o.getInit());
    try {
      Safetensors.Contents file = EncoderFiles.read(location);
      int heads = EncoderFiles.heads(file.metadata());
      Flags.check(heads == 0 || heads == encoder.heads(), "heads", encoder.heads(), "differs from the " + heads
          + " heads recorded in --init=" + o.getInit());
      TimmVitWeights.importEncoder(file.tensors(), encoder);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage().startsWith("--") ? e.getMessage()
          : "--init=" + o.getInit() + ": " + e.getMessage(), e);
    }
    return location;
  }


  /** The run's config, one group per concern of the options. */
  static PretrainConfig config(PretrainOptions o, VitSpec encoder, long stepsPerEpoch, Normalization normalization) {
    int hidden = o.getHeadHidden() > 0 ? o.getHeadHidden() : (o.getModel() == ModelSize.tiny ? 1024 : 4096);
    Masking defaults = Masking.symmetric();
    Masking masking = new Masking(o.getMask().kind, o.getParity().parity, o.getMaskBlock(), o.getMaskRatio(),
        defaults.randomBlock(), defaults.blockRatio(), o.getTeacherMask().mask);
    Schedule schedule = Schedule.epochs(o.getEpochs(), stepsPerEpoch).withMomentum(o.getMomentum(), 1.0);
    if (o.getWarmupEpochs() >= 0) {
      schedule = schedule.withWarmup(Math.round(o.getWarmupEpochs() * stepsPerEpoch));
    }
    int threads = TrainingRuns.threads(o);
    return PretrainConfig.of(encoder)
        .withHeads(new ContrastiveHeads(hidden, o.getHeadOut(), hidden, o.getContrastiveToken().token))
        .withMasking(masking)
        .withLosses(new Losses(Losses.defaults().reconstruction(), o.getContrastiveTemperature(),
            o.getContrastiveWeight(), false, o.getContrastiveInput().input))
        .withOptimisation(Optimisation.pretraining().withBatch(o.getBatchSize(), o.getLr()))
        .withSchedule(schedule)
        .withAugmentation(new Augmentation(o.getView1MinScale(), o.getView2MinScale(), o.getView2().recipe))
        .withNormalization(normalization)
        .withRun(new RunSettings(o.getSeed(), Precision.FP32, o.getDevice().kind, threads, o.getDeterministic() ? 1 : 0));
  }

  public static Pipeline build(PretrainOptions o, PretrainRun run) {
    Pipeline p = Pipeline.create(o);
    p.apply("Run", Create.of(run).withCoder(SerializableCoder.of(PretrainRun.class)))
        .apply("Pretrain", RunPretraining.create());
    return p;
  }

  /** Runs (or resumes) the run to its end; returns the run directory. */
  public static String run(PretrainOptions o) throws IOException {
    PretrainRun run = plan(o);
    PipelineResult result = Jobs.run(build(o, run), "pretrain");
    if (Jobs.submitOnly(o)) {
      System.out.println("pretrain: the job will commit checkpoints to " + run.runDir() + "/checkpoints");
      return run.runDir();
    }
    System.out.println("pretrain: Beam counters" + Jobs.metrics(result, RunPretraining.class.getName()));
    System.out.println("pretrain: done; checkpoints in " + run.runDir() + "/checkpoints, metrics in " + run.runDir()
        + "/metrics.jsonl");
    return run.runDir();
  }

}
