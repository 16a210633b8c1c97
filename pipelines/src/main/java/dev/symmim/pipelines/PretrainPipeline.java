package dev.symmim.pipelines;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.symmim.model.config.DeviceKind;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.model.runtime.TorchRuntime;
import dev.symmim.model.vit.VitSpec;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.pretrain.GcsEndpoint;
import dev.symmim.transforms.pretrain.PretrainRun;
import dev.symmim.transforms.pretrain.RunPretraining;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.extensions.gcp.options.GcsOptions;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.transforms.Create;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code symmim pretrain}: one {@link PretrainRun} element -> {@link RunPretraining} on one worker. */
public final class PretrainPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(PretrainPipeline.class);

  private PretrainPipeline() {}

  static void validate(PretrainOptions o) {
    if (o.getBatchSize() == 0) {
      o.setBatchSize(64);
    }
    if (o.getTemperature() == 0) {
      o.setTemperature(0.2);
    }
    Flags.require(o.getData(), "data", "a prepared dataset directory (symmim prepare --output)");
    Flags.require(o.getOutput(), "output", "a run directory (local or gs://)");
    Flags.check(!o.getOutput().contains("://") || o.getOutput().startsWith("gs://"), "output", o.getOutput(),
        "must be a local directory or gs://bucket/path");
    Flags.check(o.getEpochs() > 0, "epochs", o.getEpochs(), "must be > 0");
    Flags.check(o.getBatchSize() >= 2, "batchSize", o.getBatchSize(), "must be >= 2 (the contrastive loss needs negatives)");
    Flags.check(o.getLr() > 0, "lr", o.getLr(), "must be > 0");
    Flags.check(o.getStages() >= 1 && o.getStages() <= o.getEpochs(), "stages", o.getStages(),
        "must be in [1, --epochs=" + o.getEpochs() + "]");
    Flags.check(o.getCheckpointEverySteps() >= 0, "checkpointEverySteps", o.getCheckpointEverySteps(), "must be >= 0");
    Flags.check(o.getPatchSize() > 0, "patchSize", o.getPatchSize(), "must be > 0");
    Flags.check(o.getViewSize() >= 0, "viewSize", o.getViewSize(), "must be >= 0 (0: the dataset's)");
    Flags.check(o.getMaskRatio() > 0 && o.getMaskRatio() < 1, "maskRatio", o.getMaskRatio(), "must be in (0, 1)");
    Flags.check(o.getMaskBlock() > 0, "maskBlock", o.getMaskBlock(), "must be > 0");
    Flags.check(o.getThreads() >= 0, "threads", o.getThreads(), "must be >= 0");
    Flags.check(o.getLoaderThreads() >= 1, "loaderThreads", o.getLoaderThreads(), "must be >= 1");
    Flags.check(o.getMaxImages() >= 0, "maxImages", o.getMaxImages(), "must be >= 0");
    Flags.check(o.getMetricsEverySteps() >= 1, "metricsEverySteps", o.getMetricsEverySteps(), "must be >= 1");
    Flags.check(o.getBenchBareSteps() >= 0, "benchBareSteps", o.getBenchBareSteps(), "must be >= 0");
    Flags.check(o.getMaxRollbacks() >= 0, "maxRollbacks", o.getMaxRollbacks(), "must be >= 0");
    Flags.check(o.getWarmupEpochs() == -1 || (o.getWarmupEpochs() >= 0 && o.getWarmupEpochs() <= o.getEpochs()),
        "warmupEpochs", o.getWarmupEpochs(), "must be -1 (METHOD.md rule) or in [0, --epochs=" + o.getEpochs() + "]");
    Flags.check(o.getTemperature() > 0, "temperature", o.getTemperature(), "must be > 0");
    Flags.check(o.getContrastiveWeight() >= 0, "contrastiveWeight", o.getContrastiveWeight(), "must be >= 0");
    Flags.check(o.getMomentum() >= 0 && o.getMomentum() <= 1, "momentum", o.getMomentum(), "must be in [0, 1]");
    Flags.check(o.getView1MinScale() > 0 && o.getView1MinScale() <= 1, "view1MinScale", o.getView1MinScale(),
        "must be in (0, 1]");
    Flags.check(o.getView2MinScale() > 0 && o.getView2MinScale() <= 1, "view2MinScale", o.getView2MinScale(),
        "must be in (0, 1]");
    Flags.check(o.getDim() >= 0 && o.getDepth() >= 0 && o.getHeads() >= 0, "dim/depth/heads",
        o.getDim() + "/" + o.getDepth() + "/" + o.getHeads(), "must be >= 0");
  }

  /** Checks the flags against the dataset and builds the run; every error names the flag or file. */
  static PretrainRun plan(PretrainOptions o) throws IOException {
    validate(o);
    FileSystems.setDefaultPipelineOptions(o);
    DatasetManifest m;
    try {
      m = DatasetManifest.readFrom(o.getData());
    } catch (IOException e) {
      throw new IllegalArgumentException("--data=" + o.getData() + ": " + e.getMessage(), e);
    }
    DatasetManifest.Split train = m.splits() == null ? null : m.splits().get("train");
    Flags.check(train != null && train.records() > 0 && m.imageSize() > 0 && m.channelMean() != null
        && m.channelStd() != null, "data", o.getData(), "has an invalid manifest (no train split, image size or channel stats)");
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

    VitSpec.Size preset = VitSpec.Size.valueOf(o.getModel().name().toUpperCase());
    VitSpec base = preset.spec(size, o.getPatchSize(), m.channels());
    int dim = o.getDim() > 0 ? o.getDim() : base.dim();
    int heads = o.getHeads() > 0 ? o.getHeads() : base.heads();
    Flags.check(dim % heads == 0, "heads", heads, "does not divide the width " + dim);
    VitSpec spec = new VitSpec(size, o.getPatchSize(), m.channels(), dim,
        o.getDepth() > 0 ? o.getDepth() : base.depth(), heads, base.mlpRatio());
    int hidden = o.getHeadHidden() > 0 ? o.getHeadHidden() : (o.getModel() == ModelSize.tiny ? 1024 : 4096);
    int threads = o.getThreads() > 0 ? o.getThreads() : (o.getDeterministic() ? 1 : 0);
    float[] mean = toFloats(m.channelMean());
    float[] std = toFloats(m.channelStd());
    PretrainConfig.Builder builder = PretrainConfig.builder()
        .encoder(spec)
        .heads(hidden, o.getHeadOut(), hidden)
        .maskKind(o.getMask().kind)
        .parity(o.getParity().parity)
        .randomMaskRatio(o.getMaskRatio())
        .maskBlock(o.getMaskBlock())
        .batchSize(o.getBatchSize())
        .baseLearningRate(o.getLr())
        .epochs(o.getEpochs(), stepsPerEpoch)
        .temperature(o.getTemperature())
        .contrastiveWeight(o.getContrastiveWeight())
        .momentum(o.getMomentum(), 1.0)
        .view1MinScale(o.getView1MinScale())
        .view2MinScale(o.getView2MinScale())
        .channelStats(mean, std)
        .seed(o.getSeed())
        .device(o.getDevice().kind)
        .threads(threads, o.getDeterministic() ? 1 : 0);
    if (o.getWarmupEpochs() >= 0) {
      builder.warmupSteps(Math.round(o.getWarmupEpochs() * stepsPerEpoch));
    }
    PretrainConfig config = builder.build();

    ObjectMapper json = new ObjectMapper();
    ObjectNode info = json.createObjectNode();
    info.put("codeVersion", BuildInfo.version());
    info.put("gitCommit", gitCommit());
    info.put("deterministic", o.getDeterministic());
    info.put("command", "symmim pretrain");
    info.put("flags", String.join(" ", flags(o)));
    List<Long> faults = o.getFaultBatches().isBlank() ? List.of()
        : Arrays.stream(o.getFaultBatches().split(",")).map(String::trim).map(Long::parseLong).toList();
    String runDir = o.getOutput().startsWith("gs://") ? o.getOutput().replaceAll("/+$", "")
        : Path.of(o.getOutput()).toAbsolutePath().toString();
    return new PretrainRun(o.getData(), runDir, config.toJson(),
        o.getEpochs(), o.getStages(), o.getCheckpointEverySteps(), o.getMaxImages(), o.getLoaderThreads(),
        o.getMaxRollbacks(), Long.getLong("symmim.progressSeconds", 10), o.getMetricsEverySteps(), info.toString(),
        faults, o.getBenchBareSteps(), GcsEndpoint.fromFlag(o.as(GcsOptions.class).getGcsEndpoint()));
  }

  static Pipeline build(PretrainOptions o, PretrainRun run) {
    Pipeline p = Pipeline.create(o);
    p.apply("Run", Create.of(run).withCoder(SerializableCoder.of(PretrainRun.class)))
        .apply("Pretrain", RunPretraining.create());
    return p;
  }

  public static String run(PretrainOptions o) throws IOException {
    PretrainRun run = plan(o);
    PipelineResult result = Jobs.run(build(o, run), "pretrain");
    System.out.println("pretrain: Beam counters" + Jobs.metrics(result, RunPretraining.class.getName()));
    String latest = run.runDir() + "/checkpoints";
    System.out.println("pretrain: done; checkpoints in " + latest + ", metrics in " + run.runDir() + "/metrics.jsonl");
    return latest;
  }

  private static float[] toFloats(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }

  private static List<String> flags(PretrainOptions o) {
    return List.of("--data=" + o.getData(), "--output=" + o.getOutput(), "--model=" + o.getModel(),
        "--dim=" + o.getDim(), "--depth=" + o.getDepth(), "--heads=" + o.getHeads(), "--headHidden=" + o.getHeadHidden(),
        "--headOut=" + o.getHeadOut(), "--viewSize=" + o.getViewSize(), "--maskBlock=" + o.getMaskBlock(),
        "--maxImages=" + o.getMaxImages(), "--patchSize=" + o.getPatchSize(), "--epochs=" + o.getEpochs(), "--batchSize=" + o.getBatchSize(),
        "--mask=" + o.getMask(), "--parity=" + o.getParity(), "--maskRatio=" + o.getMaskRatio(), "--lr=" + o.getLr(), "--warmupEpochs=" + o.getWarmupEpochs(),
        "--temperature=" + o.getTemperature(), "--contrastiveWeight=" + o.getContrastiveWeight(),
        "--momentum=" + o.getMomentum(), "--view1MinScale=" + o.getView1MinScale(),
        "--view2MinScale=" + o.getView2MinScale(), "--stages=" + o.getStages(),
        "--checkpointEverySteps=" + o.getCheckpointEverySteps(), "--device=" + o.getDevice(),
        "--deterministic=" + o.getDeterministic(), "--seed=" + o.getSeed());
  }

  static String gitCommit() {
    String home = System.getProperty("symmim.home", ".");
    try {
      Process p = new ProcessBuilder("git", "-C", home, "rev-parse", "HEAD").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      if (p.waitFor() != 0) {
        return "unknown";
      }
      Process d = new ProcessBuilder("git", "-C", home, "status", "--porcelain", "--untracked-files=no")
          .redirectErrorStream(true).start();
      boolean dirty = !new String(d.getInputStream().readAllBytes()).isBlank();
      d.waitFor();
      return dirty ? out + "-dirty" : out;
    } catch (IOException | InterruptedException e) {
      return "unknown";
    }
  }
}
