package dev.symmim.pipelines.runner;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.spark.SparkPipelineOptions;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * What symmim sets for the runner when the user does not: the embedded Flink runner with one
 * parallel task per core, Spark's local master with one task thread per core bound to the loopback
 * address, local GCS credentials for a {@code --gcsEndpoint} test server; and the torch threads each
 * inference worker gets.
 */
public final class RunnerDefaults {
  private RunnerDefaults() {}

  /** The runner flags to add to {@code args} (flags as given by the user) so that unset ones take symmim's defaults. */
  public static List<String> missingFlags(List<String> args) {
    List<String> add = new ArrayList<>();
    int cores = Runtime.getRuntime().availableProcessors();
    boolean runnerGiven = args.stream().anyMatch(a -> a.startsWith("--runner="));
    if (!runnerGiven) {
      add.add("--runner=FlinkRunner");
    }
    boolean flink = !runnerGiven || args.stream().anyMatch(a -> a.equals("--runner=FlinkRunner") || a.endsWith(".FlinkRunner"));
    if (flink && args.stream().noneMatch(a -> a.startsWith("--flinkMaster="))) {
      add.add("--flinkMaster=[local]");
    }
    boolean localFlink = flink && (args.contains("--flinkMaster=[local]") || add.contains("--flinkMaster=[local]"));
    if (localFlink && args.stream().noneMatch(a -> a.startsWith("--parallelism="))) {
      add.add("--parallelism=" + cores); // the embedded cluster otherwise runs every operator with parallelism 1
    }
    if (flink && args.stream().noneMatch(a -> a.startsWith("--fasterCopy="))) {
      add.add("--fasterCopy=true"); // our DoFns never mutate their inputs
    }
    boolean spark = args.stream().anyMatch(a -> a.equals("--runner=SparkRunner") || a.endsWith(".SparkRunner"));
    if (spark && args.stream().noneMatch(a -> a.startsWith("--sparkMaster="))) {
      add.add("--sparkMaster=local[" + cores + "]"); // Beam's default is local[4]
    }
    if (args.stream().anyMatch(a -> a.startsWith("--gcsEndpoint="))
        && args.stream().noneMatch(a -> a.startsWith("--credentialFactoryClass=") || a.startsWith("--gcpCredential="))) {
      // A local GCS server (infra/dev/gcs-server.sh): never ask Google for credentials.
      add.add("--credentialFactoryClass=" + LocalGcsCredentials.class.getName());
    }
    return add;
  }

  /**
   * A local Spark master runs in this JVM: its driver binds to the loopback address (not the
   * host's first interface) and starts no web UI. SparkConf reads {@code spark.*} system
   * properties, so {@code -Dspark.ui.enabled=true} in SYMMIM_JAVA_OPTS still wins.
   */
  public static void applyLocalSpark(PipelineOptions o) {
    if (!o.getRunner().getSimpleName().startsWith("Spark")
        || !o.as(SparkPipelineOptions.class).getSparkMaster().startsWith("local")) {
      return;
    }
    for (String[] kv : new String[][] {{"spark.driver.host", "127.0.0.1"}, {"spark.driver.bindAddress", "127.0.0.1"},
        {"spark.ui.enabled", "false"}}) {
      if (System.getProperty(kv[0]) == null) {
        System.setProperty(kv[0], kv[1]);
      }
    }
  }

  /**
   * Torch intra-op threads per process for inference: the cores divided among the inference DoFns
   * that run at once in it (the embedded Flink runner runs {@code --parallelism} of them in this
   * JVM, Spark's {@code local[N]} N).
   */
  public static int inferenceThreads(PipelineOptions o) {
    int cores = Runtime.getRuntime().availableProcessors();
    int parallel = 1;
    if (o.getRunner().getSimpleName().startsWith("Flink")) {
      FlinkPipelineOptions flink = o.as(FlinkPipelineOptions.class);
      parallel = flink.getFlinkMaster().equals("[local]") || flink.getFlinkMaster().equals("[auto]")
          ? Math.max(1, flink.getParallelism()) : 1;
    } else if (o.getRunner().getSimpleName().startsWith("Spark")) {
      parallel = localSparkThreads(o.as(SparkPipelineOptions.class).getSparkMaster(), cores);
    }
    return Math.max(1, cores / parallel);
  }

  /** Task threads of a local Spark master ({@code local}, {@code local[N]}, {@code local[*]}); 1 for a cluster. */
  public static int localSparkThreads(String master, int cores) {
    Matcher m = Pattern.compile("local(?:\\[(\\d+|\\*)(?:,\\d+)?\\])?").matcher(master);
    if (!m.matches()) {
      return 1;
    }
    return m.group(1) == null ? 1 : m.group(1).equals("*") ? cores : Math.max(1, Integer.parseInt(m.group(1)));
  }
}
