package dev.symmim.pipelines.runner;

import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.spark.SparkPipelineOptions;
import org.apache.beam.sdk.extensions.gcp.auth.GcpCredentialFactory;
import org.apache.beam.sdk.extensions.gcp.options.GcsOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Options for one stage of a multi-stage command (demo, ablate, benchmark): a fresh object of the
 * stage's own options type, with its declared defaults, carrying over the workflow's runner and GCS
 * settings. Fresh, because two stages may declare a flag of the same name with another default
 * ({@code --batchSize} is 64 images per training step, 256 per inference pass); the workflow then
 * sets the stage's values with typed setters.
 */
public final class StageOptions {
  private StageOptions() {}

  public static <T extends PipelineOptions> T derive(PipelineOptions from, Class<T> type) {
    T to = PipelineOptionsFactory.create().as(type);
    to.setRunner(from.getRunner());
    to.setJobName(from.getJobName());
    if (from.getRunner().getSimpleName().startsWith("Flink")) {
      FlinkPipelineOptions f = from.as(FlinkPipelineOptions.class);
      FlinkPipelineOptions t = to.as(FlinkPipelineOptions.class);
      t.setFlinkMaster(f.getFlinkMaster());
      t.setParallelism(f.getParallelism());
      t.setFasterCopy(f.getFasterCopy());
    }
    if (from.getRunner().getSimpleName().startsWith("Spark")) {
      to.as(SparkPipelineOptions.class).setSparkMaster(from.as(SparkPipelineOptions.class).getSparkMaster());
    }
    // gs:// paths of every stage reach the same GCS (a --gcsEndpoint test server) with the same credentials.
    GcsOptions g = from.as(GcsOptions.class);
    GcsOptions t = to.as(GcsOptions.class);
    if (g.getGcsEndpoint() != null) {
      t.setGcsEndpoint(g.getGcsEndpoint());
    }
    if (g.getCredentialFactoryClass() != null && g.getCredentialFactoryClass() != GcpCredentialFactory.class) {
      t.setCredentialFactoryClass(g.getCredentialFactoryClass());
    }
    return to;
  }
}
