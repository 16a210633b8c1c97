package dev.symmim.pipelines;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * The {@code symmim} command line: {@code symmim <command> [--flag=value ...]} with Beam-style
 * flags. Pipelines run on the embedded Flink runner unless {@code --runner} says otherwise.
 */
public final class Symmim {
  static final String USAGE = String.join("\n",
      "usage: symmim <command> [--flag=value ...]",
      "",
      "commands:",
      "  demo      the main job end to end on the shipped Fashion-MNIST subset; prints where the report is",
      "  prepare   images (folder, IDX, CIFAR; local or gs://) -> Avro shards + manifest + dead letters",
      "  pretrain  SymMIM pretraining of a ViT on a prepared dataset; resumable (re-run the same command)",
      "  embed     a prepared dataset + a pretrain checkpoint -> embedding Avro + Vertex AI export",
      "  index     embeddings -> sharded Lucene HNSW index (cosine) + index.json",
      "  search    nearest neighbours in an index: --index=DIR (--id=ID | --image=FILE [--checkpoint=RUN]) [--k=10]",
      "  ablate    masking ablation: symmetric (fixed/random parity) vs random 50/75% vs blocks, N seeds, mean +- std",
      "  evaluate  embeddings -> k-NN, linear probe, baselines (pixels, random init), feature health -> metrics + report",
      "  bench     benchmarks: 'symmim bench prepare [--fashionMnist=DIR] [--images=N]', 'symmim bench pretrain <pretrain flags>', 'symmim bench embed', 'symmim bench index'",
      "  help      this text; 'symmim help <command>' lists the command's flags",
      "",
      "Pipelines run on embedded Flink by default (--runner=FlinkRunner --flinkMaster=[local]);",
      "--runner=SparkRunner --sparkMaster=local[2] (or spark://host:7077) and --runner=DirectRunner also work. gs:// paths work everywhere; --gcsEndpoint=http://127.0.0.1:4443/storage/v1/",
      "points them at a local GCS server (infra/dev/gcs-server.sh).");

  private Symmim() {}

  public static void main(String[] args) {
    int code;
    try {
      code = run(args);
    } catch (IllegalArgumentException e) {
      System.err.println("symmim: error: " + e.getMessage());
      code = 2;
    } catch (Exception e) {
      System.err.println("symmim: failed: " + e);
      e.printStackTrace();
      code = 1;
    }
    System.exit(code);
  }

  /** Runs a command; returns the exit code. Bad flags throw IllegalArgumentException. */
  public static int run(String[] args) throws Exception {
    if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
      if (args.length > 1) {
        PipelineOptionsFactory.register(optionsClass(args[1]));
        PipelineOptionsFactory.printHelp(System.out, optionsClass(args[1]));
      } else {
        System.out.println(USAGE);
      }
      return 0;
    }
    String command = args[0];
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    switch (command) {
      case "prepare":
        PreparePipeline.run(options(rest, PrepareOptions.class));
        return 0;
      case "pretrain":
        PretrainPipeline.run(options(rest, PretrainOptions.class));
        return 0;
      case "embed":
        EmbedPipeline.run(options(rest, EmbedOptions.class));
        return 0;
      case "index":
        IndexPipeline.run(options(rest, IndexOptions.class));
        return 0;
      case "search":
        SearchCommand.run(options(rest, SearchOptions.class), System.out);
        return 0;
      case "evaluate":
        EvaluatePipeline.run(options(rest, EvaluateOptions.class));
        return 0;
      case "ablate":
        Ablate.run(options(rest, AblateOptions.class));
        return 0;
      case "demo":
        return Demo.run(options(rest, DemoOptions.class));
      case "bench":
        return Bench.run(rest);
      default:
        throw new IllegalArgumentException("unknown command '" + command + "'\n" + USAGE);
    }
  }

  static Class<? extends PipelineOptions> optionsClass(String command) {
    switch (command) {
      case "prepare":
        return PrepareOptions.class;
      case "pretrain":
        return PretrainOptions.class;
      case "embed":
        return EmbedOptions.class;
      case "index":
        return IndexOptions.class;
      case "search":
        return SearchOptions.class;
      case "evaluate":
        return EvaluateOptions.class;
      case "ablate":
        return AblateOptions.class;
      case "demo":
        return DemoOptions.class;
      default:
        throw new IllegalArgumentException("unknown command '" + command + "'\n" + USAGE);
    }
  }

  /** Refuses an enum flag's unknown value with a message naming the flag and the choices. */
  static void checkEnumFlags(List<String> args, Class<?> type) {
    for (String a : args) {
      int eq = a.indexOf('=');
      String name = a.substring(2, eq);
      String value = a.substring(eq + 1);
      for (java.lang.reflect.Method m : type.getMethods()) {
        if (m.getParameterCount() == 0 && m.getReturnType().isEnum()
            && m.getName().equalsIgnoreCase("get" + name)) {
          Object[] constants = m.getReturnType().getEnumConstants();
          boolean known = java.util.Arrays.stream(constants).anyMatch(c -> ((Enum<?>) c).name().equals(value));
          if (!known) {
            throw new IllegalArgumentException("--" + name + "=" + value + ": must be one of "
                + String.join(", ", java.util.Arrays.stream(constants).map(c -> ((Enum<?>) c).name()).toList()));
          }
        }
      }
    }
  }

  /**
   * A local Spark master runs in this JVM: its driver binds to the loopback address (not the
   * host's first interface) and starts no web UI. SparkConf reads {@code spark.*} system
   * properties, so {@code -Dspark.ui.enabled=true} in SYMMIM_JAVA_OPTS still wins.
   */
  static void localSparkDefaults() {
    for (String[] kv : new String[][] {{"spark.driver.host", "127.0.0.1"}, {"spark.driver.bindAddress", "127.0.0.1"},
        {"spark.ui.enabled", "false"}}) {
      if (System.getProperty(kv[0]) == null) {
        System.setProperty(kv[0], kv[1]);
      }
    }
  }

  /** Parses flags, defaulting to the embedded Flink runner. */
  static <T extends PipelineOptions> T options(String[] args, Class<T> type) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    boolean runnerGiven = all.stream().anyMatch(a -> a.startsWith("--runner="));
    if (!runnerGiven) {
      all.add("--runner=FlinkRunner");
    }
    boolean flink = all.stream().anyMatch(a -> a.equals("--runner=FlinkRunner") || a.endsWith(".FlinkRunner"));
    if (flink && all.stream().noneMatch(a -> a.startsWith("--flinkMaster="))) {
      all.add("--flinkMaster=[local]");
    }
    if (flink && all.contains("--flinkMaster=[local]") && all.stream().noneMatch(a -> a.startsWith("--parallelism="))) {
      // The embedded cluster otherwise runs every operator with parallelism 1.
      all.add("--parallelism=" + Runtime.getRuntime().availableProcessors());
    }
    if (flink && all.stream().noneMatch(a -> a.startsWith("--fasterCopy="))) {
      all.add("--fasterCopy=true"); // our DoFns never mutate their inputs
    }
    boolean spark = all.stream().anyMatch(a -> a.equals("--runner=SparkRunner") || a.endsWith(".SparkRunner"));
    if (spark && all.stream().noneMatch(a -> a.startsWith("--sparkMaster="))) {
      // Beam's default is local[4]: one task thread per core instead.
      all.add("--sparkMaster=local[" + Runtime.getRuntime().availableProcessors() + "]");
    }
    if (spark && all.stream().anyMatch(a -> a.startsWith("--sparkMaster=local"))) {
      localSparkDefaults();
    }
    for (String a : all) {
      if (!a.startsWith("--") || !a.contains("=")) {
        throw new IllegalArgumentException("flags are --name=value, got '" + a + "'");
      }
    }
    if (all.stream().anyMatch(a -> a.startsWith("--gcsEndpoint="))
        && all.stream().noneMatch(a -> a.startsWith("--credentialFactoryClass=") || a.startsWith("--gcpCredential="))) {
      // A local GCS server (infra/dev/gcs-server.sh): never ask Google for credentials.
      all.add("--credentialFactoryClass=" + LocalGcsCredentials.class.getName());
    }
    checkEnumFlags(all, type);
    PipelineOptionsFactory.register(type);
    try {
      return PipelineOptionsFactory.fromArgs(all.toArray(new String[0])).as(type);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + " (see 'symmim help <command>')", e);
    }
  }
}
