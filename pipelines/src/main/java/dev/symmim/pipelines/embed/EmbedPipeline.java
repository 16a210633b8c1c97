package dev.symmim.pipelines.embed;

import dev.symmim.model.infer.Readout;
import dev.symmim.model.runtime.TorchRuntime;
import dev.symmim.pipelines.options.DeviceFlag;
import dev.symmim.pipelines.options.Flags;
import dev.symmim.pipelines.options.OptionDocs;
import dev.symmim.pipelines.options.VertexCrowdingFlag;
import dev.symmim.pipelines.runner.BuildInfo;
import dev.symmim.pipelines.runner.Jobs;
import dev.symmim.pipelines.runner.RunnerDefaults;
import dev.symmim.transforms.dataset.DatasetPaths;
import dev.symmim.transforms.embed.ComputeEmbeddings;
import dev.symmim.transforms.embed.EmbedDataset;
import dev.symmim.transforms.embed.EmbedPlanner;
import dev.symmim.transforms.embed.EmbeddingsManifest;
import dev.symmim.transforms.embed.EncoderKind;
import dev.symmim.transforms.embed.VertexExport;
import dev.symmim.transforms.embed.WriteEmbeddings;
import dev.symmim.transforms.progress.ProgressMeter;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.FileSystems;

/** {@code symmim embed}: a prepared dataset + a checkpoint -> an embeddings directory. */
public final class EmbedPipeline {
  private EmbedPipeline() {}

  /** Checks the flags against the dataset and checkpoint; every error names the flag or file. */
  public static EmbedDataset.Plan plan(EmbedOptions o) throws IOException {
    OptionDocs.requireAll(o, EmbedOptions.class);
    Flags.check(o.getBatchSize() >= 1, "batchSize", o.getBatchSize(), "must be >= 1");
    Flags.check(o.getShards() >= 0 && o.getShards() <= WriteEmbeddings.MAX_SHARDS, "shards", o.getShards(),
        "must be in [0, " + WriteEmbeddings.MAX_SHARDS + "]");
    Flags.check(o.getVertexNeighbors() >= 1, "vertexNeighbors", o.getVertexNeighbors(), "must be >= 1");
    VertexExport vertex = new VertexExport(o.getVertexCrowdingTag() == VertexCrowdingFlag.label, o.getVertexNeighbors());
    EncoderKind kind = EncoderKind.valueOf(o.getEncoder().name());
    Readout readout = readout(o.getReadout(), "readout");
    if (!kind.isPixels()) {
      Flags.require(o.getCheckpoint(), "checkpoint", "a pretrain run directory or checkpoint directory");
    }
    if (o.getDevice() == DeviceFlag.gpu && TorchRuntime.engine().getGpuCount() == 0) {
      throw new IllegalArgumentException("--device=gpu: the PyTorch engine reports no GPU on this machine "
          + "(use --device=auto or cpu)");
    }
    FileSystems.setDefaultPipelineOptions(o);
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("command", "symmim embed");
    record.put("flags", OptionDocs.values(o, EmbedOptions.class));
    record.put("codeVersion", BuildInfo.version());
    return EmbedPlanner.plan(new EmbedPlanner.Request(o.getData(), o.getCheckpoint(), o.getOutput(), kind, readout,
        o.getBatchSize(), o.getDevice().kind, o.getShards(), RunnerDefaults.inferenceThreads(o), vertex, record));
  }

  /** The read-out a flag names; a bad one is refused naming the flag. */
  static Readout readout(String value, String flag) {
    try {
      return Readout.parse(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--" + flag + "=" + value + ": " + e.getMessage(), e);
    }
  }

  public static Pipeline build(EmbedOptions o, EmbedDataset.Plan plan) {
    Pipeline p = Pipeline.create(o);
    p.apply("Embed", EmbedDataset.of(plan));
    return p;
  }

  /** Runs the job; returns the written manifest (null when the runner only writes the job: {@link Jobs#submitOnly}). */
  public static EmbeddingsManifest run(EmbedOptions o) throws IOException {
    EmbedDataset.Plan plan = plan(o);
    long t0 = System.nanoTime();
    PipelineResult result;
    try (ProgressMeter.Reporting progress = ProgressMeter.of(ComputeEmbeddings.STAGE).report(10)) {
      result = Jobs.run(build(o, plan), "embed");
    }
    if (Jobs.submitOnly(o)) {
      return null;
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
