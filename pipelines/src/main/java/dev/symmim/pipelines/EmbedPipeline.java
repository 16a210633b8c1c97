package dev.symmim.pipelines;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.symmim.model.checkpoint.Checkpoint;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.model.runtime.TorchRuntime;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.dataset.DatasetPaths;
import dev.symmim.transforms.embed.Checkpoints;
import dev.symmim.transforms.embed.ComputeEmbeddings;
import dev.symmim.transforms.progress.ProgressMeter;
import dev.symmim.transforms.embed.EmbedDataset;
import dev.symmim.transforms.embed.Embedder;
import dev.symmim.transforms.embed.EmbeddingsManifest;
import dev.symmim.transforms.embed.EncoderKind;
import dev.symmim.transforms.embed.ShardRef;
import dev.symmim.transforms.embed.WriteEmbeddings;
import dev.symmim.transforms.images.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.FileSystems;

/** {@code symmim embed}: a prepared dataset + a checkpoint -> an embeddings directory. */
public final class EmbedPipeline {
  static final int EMBEDDINGS_PER_SHARD = 50_000;

  private EmbedPipeline() {}

  /** What to embed with which weights, decoupled from the options so evaluate can plan baselines. */
  record Request(String data, String checkpoint, String output, EncoderKind kind, int batchSize, DeviceFlag device,
      int shards, int threads) {}

  /** Checks the flags against the dataset and checkpoint; every error names the flag or file. */
  static EmbedDataset.Plan plan(EmbedOptions o) throws IOException {
    if (o.getBatchSize() == 0) {
      o.setBatchSize(256);
    }
    Flags.require(o.getData(), "data", "a prepared dataset directory (symmim prepare --output)");
    Flags.require(o.getOutput(), "output", "the directory to write embeddings to");
    Flags.check(o.getBatchSize() >= 1, "batchSize", o.getBatchSize(), "must be >= 1");
    Flags.check(o.getShards() >= 0 && o.getShards() <= WriteEmbeddings.MAX_SHARDS, "shards", o.getShards(),
        "must be in [0, " + WriteEmbeddings.MAX_SHARDS + "]");
    EncoderKind kind = EncoderKind.valueOf(o.getEncoder().name());
    if (kind != EncoderKind.pixels) {
      Flags.require(o.getCheckpoint(), "checkpoint", "a pretrain run directory or checkpoint directory");
    }
    if (o.getDevice() == DeviceFlag.gpu && TorchRuntime.engine().getGpuCount() == 0) {
      throw new IllegalArgumentException("--device=gpu: the PyTorch engine reports no GPU on this machine "
          + "(use --device=auto or cpu)");
    }
    FileSystems.setDefaultPipelineOptions(o);
    return plan(new Request(o.getData(), o.getCheckpoint(), o.getOutput(), kind, o.getBatchSize(), o.getDevice(),
        o.getShards(), inferenceThreads(o)));
  }

  static EmbedDataset.Plan plan(Request o) throws IOException {
    EncoderKind kind = o.kind();
    String data = absolute(o.data());
    String output = absolute(o.output());
    DatasetManifest m;
    byte[] manifestBytes;
    try (InputStream in = Channels.newInputStream(FileSystems.open(DatasetPaths.resolve(data, DatasetManifest.FILE_NAME)))) {
      manifestBytes = in.readAllBytes();
      m = DatasetManifest.json().readValue(manifestBytes, DatasetManifest.class);
    } catch (java.io.FileNotFoundException e) {
      throw new IllegalArgumentException("--data=" + o.data() + ": no " + DatasetManifest.FILE_NAME
          + " (is this a prepared dataset directory?)", e);
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new IllegalArgumentException("--data=" + o.data() + ": malformed " + DatasetManifest.FILE_NAME + ": "
          + e.getOriginalMessage(), e);
    }
    Flags.check(m.splits() != null && m.records() > 0 && m.imageSize() > 0 && m.channelMean() != null,
        "data", o.data(), "has an invalid manifest (no records, image size or channel stats)");

    String checkpointDir = null;
    String modelId;
    int dim;
    if (kind == EncoderKind.pixels) {
      modelId = "pixels/" + m.imageSize() + "x" + m.imageSize() + "x" + m.channels();
      dim = m.imageSize() * m.imageSize() * m.channels();
    } else {
      Path dir;
      try {
        checkpointDir = Checkpoints.locate(o.checkpoint());
        dir = Checkpoints.local(checkpointDir);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--checkpoint=" + o.checkpoint() + ": " + e.getMessage(), e);
      }
      Checkpoint c = Checkpoints.shared(dir);
      PretrainConfig config = c.config();
      Flags.check(config.encoder().channels() == m.channels(), "checkpoint", o.checkpoint(),
          "has an encoder for " + config.encoder().channels() + "-channel images but --data=" + o.data()
              + " holds " + m.channels() + "-channel images");
      modelId = Checkpoints.modelId(dir, kind);
      if (kind == EncoderKind.random) {
        modelId = modelId.replace("/random", "/random-init-seed-" + config.seed());
      }
      dim = config.encoder().dim();
    }

    List<ShardRef> shards = new ArrayList<>();
    for (Map.Entry<String, DatasetManifest.Split> split : m.splits().entrySet()) {
      for (DatasetManifest.Shard s : split.getValue().shards()) {
        shards.add(new ShardRef(split.getKey(), DatasetPaths.resolve(data, s.path()).toString(), s.records(), s.sha256()));
      }
    }
    long records = m.records();
    int numShards = o.shards() > 0 ? o.shards()
        : (int) Math.min(WriteEmbeddings.MAX_SHARDS, Math.max(1, (records + EMBEDDINGS_PER_SHARD - 1) / EMBEDDINGS_PER_SHARD));

    ObjectNode config = DatasetManifest.json().createObjectNode();
    config.put("command", "symmim embed");
    config.put("flags", "--data=" + o.data() + " --checkpoint=" + o.checkpoint() + " --output=" + o.output()
        + " --batchSize=" + o.batchSize() + " --encoder=" + o.kind() + " --device=" + o.device()
        + " --shards=" + o.shards());
    config.put("codeVersion", BuildInfo.version());
    config.put("features", kind == EncoderKind.pixels
        ? "raw pixels, each channel standardized with the dataset's mean/std"
        : "CLS token after the final LayerNorm; no masking; images standardized with the checkpoint's channel stats");
    config.put("imageSize", m.imageSize());
    config.put("channels", m.channels());
    EmbeddingsManifest template = new EmbeddingsManifest(modelId, dim, kind.name(), checkpointDir, data,
        Sha256.hex(Sha256.newDigest().digest(manifestBytes)), 0, 0, Map.of(), List.of(), List.of(), m.classes(), config);
    Embedder.Spec spec = new Embedder.Spec(kind, checkpointDir, o.device().kind, m.imageSize(), m.channels(),
        m.channelMean(), m.channelStd(), o.threads());
    return new EmbedDataset.Plan(output, shards, spec, o.batchSize(), numShards,
        DatasetManifest.json().writeValueAsString(template));
  }

  /**
   * Torch intra-op threads per process: the cores divided among the inference DoFns that run at
   * once in it (the embedded Flink runner runs {@code --parallelism} of them in this JVM, Spark's
   * {@code local[N]} N).
   */
  static int inferenceThreads(org.apache.beam.sdk.options.PipelineOptions o) {
    int cores = Runtime.getRuntime().availableProcessors();
    int parallel = 1;
    if (o.getRunner().getSimpleName().startsWith("Flink")) {
      var flink = o.as(org.apache.beam.runners.flink.FlinkPipelineOptions.class);
      parallel = flink.getFlinkMaster().equals("[local]") || flink.getFlinkMaster().equals("[auto]")
          ? Math.max(1, flink.getParallelism()) : 1;
    } else if (o.getRunner().getSimpleName().startsWith("Spark")) {
      parallel = localSparkThreads(o.as(org.apache.beam.runners.spark.SparkPipelineOptions.class).getSparkMaster(), cores);
    }
    return Math.max(1, cores / parallel);
  }

  /** Task threads of a local Spark master ({@code local}, {@code local[N]}, {@code local[*]}); 1 for a cluster. */
  static int localSparkThreads(String master, int cores) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("local(?:\\[(\\d+|\\*)(?:,\\d+)?\\])?").matcher(master);
    if (!m.matches()) {
      return 1;
    }
    return m.group(1) == null ? 1 : m.group(1).equals("*") ? cores : Math.max(1, Integer.parseInt(m.group(1)));
  }

  /** Local paths made absolute (workers may run elsewhere); URIs as given. */
  static String absolute(String path) {
    return path.contains("://") ? path : Path.of(path).toAbsolutePath().normalize().toString();
  }

  static Pipeline build(EmbedOptions o, EmbedDataset.Plan plan) {
    Pipeline p = Pipeline.create(o);
    p.apply("Embed", EmbedDataset.of(plan));
    return p;
  }

  /** Runs the job; returns the written manifest. */
  public static EmbeddingsManifest run(EmbedOptions o) throws IOException {
    EmbedDataset.Plan plan = plan(o);
    long t0 = System.nanoTime();
    PipelineResult result;
    try (ProgressMeter.Reporting progress = ProgressMeter.of(ComputeEmbeddings.STAGE).report(10)) {
      result = Jobs.run(build(o, plan), "embed");
    }
    EmbeddingsManifest m = EmbeddingsManifest.readFrom(plan.outputDir());
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.println("embed: Beam metrics" + Jobs.metrics(result, "embed"));
    System.out.printf("embed: %d inputs -> %d embeddings (%s) + %d failed in %.1f s (%.0f img/s); dim %d, model %s%n",
        m.inputs(), m.records(), m.splits(), m.failed(), seconds, m.records() / seconds, m.dim(), m.modelId());
    System.out.println("embed: wrote " + DatasetPaths.resolve(plan.outputDir(), EmbeddingsManifest.FILE_NAME));
    return m;
  }
}
