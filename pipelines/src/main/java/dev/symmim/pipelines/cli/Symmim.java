package dev.symmim.pipelines.cli;

import dev.symmim.pipelines.bench.Bench;
import dev.symmim.pipelines.embed.EmbedOptions;
import dev.symmim.pipelines.embed.EmbedPipeline;
import dev.symmim.pipelines.evaluate.EvaluateOptions;
import dev.symmim.pipelines.evaluate.EvaluatePipeline;
import dev.symmim.pipelines.export.ExportCommand;
import dev.symmim.pipelines.export.ExportOptions;
import dev.symmim.pipelines.finetune.FinetuneOptions;
import dev.symmim.pipelines.finetune.FinetunePipeline;
import dev.symmim.pipelines.index.IndexOptions;
import dev.symmim.pipelines.index.IndexPipeline;
import dev.symmim.pipelines.index.SearchCommand;
import dev.symmim.pipelines.index.SearchOptions;
import dev.symmim.pipelines.options.CommandLine;
import dev.symmim.pipelines.options.RecordedFlags;
import dev.symmim.pipelines.prepare.PrepareOptions;
import dev.symmim.pipelines.prepare.PreparePipeline;
import dev.symmim.pipelines.pretrain.PretrainOptions;
import dev.symmim.pipelines.pretrain.PretrainPipeline;
import dev.symmim.pipelines.workflows.Ablate;
import dev.symmim.pipelines.workflows.Benchmark;
import dev.symmim.pipelines.workflows.BenchmarkOptions;
import dev.symmim.pipelines.workflows.AblateOptions;
import dev.symmim.pipelines.workflows.Demo;
import dev.symmim.pipelines.workflows.DemoOptions;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * The {@code symmim} command line: {@code symmim <command> [--flag=value ...]} with Beam-style
 * flags. Pipelines run on the embedded Flink runner unless {@code --runner} says otherwise. Bad
 * flags end the command with exit status 2 and one line naming the flag.
 */
public final class Symmim {
  static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

  static {
    for (Command c : List.of(
        new Command("demo", "the main job end to end on the shipped Fashion-MNIST subset; prints where the report is",
            DemoOptions.class, a -> Demo.run(parse(a, DemoOptions.class))),
        new Command("prepare", "images (folder, IDX, CIFAR; local or gs://) -> Avro shards + manifest + dead letters",
            PrepareOptions.class, a -> done(PreparePipeline.run(parse(a, PrepareOptions.class)))),
        new Command("pretrain", "SymMIM pretraining of a ViT on a prepared dataset; resumable (re-run the same command)",
            PretrainOptions.class, a -> done(PretrainPipeline.run(parse(a, PretrainOptions.class)))),
        new Command("finetune", "label-efficient fine-tuning of a pretrained (or random) encoder with a classifier head; "
            + "val top-1/top-5 -> metrics.json; resumable", FinetuneOptions.class,
            a -> done(FinetunePipeline.run(parse(a, FinetuneOptions.class)))),
        new Command("embed", "a prepared dataset + a pretrain checkpoint -> embedding Avro + Vertex AI export",
            EmbedOptions.class, a -> done(EmbedPipeline.run(parse(a, EmbedOptions.class)))),
        new Command("export", "a pretrain or finetune checkpoint's encoder (+ head) -> timm-named model.safetensors + "
            + "config.json + README.md (plain PyTorch and timm load it)", ExportOptions.class,
            a -> done(ExportCommand.run(parse(a, ExportOptions.class)))),
        new Command("index", "embeddings -> sharded Lucene HNSW index (cosine) + index.json",
            IndexOptions.class, a -> done(IndexPipeline.run(parse(a, IndexOptions.class)))),
        new Command("search", "nearest neighbours in an index: --index=DIR (--id=ID | --image=FILE [--checkpoint=RUN]) [--k=10]",
            SearchOptions.class, a -> done(SearchCommand.run(parse(a, SearchOptions.class), System.out))),
        new Command("evaluate", "embeddings -> k-NN, linear probe, baselines (pixels, random init), feature health -> metrics + report",
            EvaluateOptions.class, a -> done(EvaluatePipeline.run(parse(a, EvaluateOptions.class)))),
        new Command("ablate", "masking ablation: symmetric (fixed/random parity) vs random 50/75% vs blocks, N seeds, mean +- std",
            AblateOptions.class, a -> done(Ablate.run(parse(a, AblateOptions.class)))),
        new Command("benchmark", "label efficiency: pretrain once, then fine-tune per label fraction x arm (SymMIM, "
            + "scratch, compute-matched scratch) x seed; frozen k-NN/probe; benchmark.json + .html; resumable",
            BenchmarkOptions.class, a -> done(Benchmark.run(parse(a, BenchmarkOptions.class)))),
        new Command("bench", "benchmarks printing measured ratios: 'symmim bench prepare|pretrain|embed|index|memory [flags]', "
            + "'symmim bench train|embed --against=pytorch' (DJL vs plain PyTorch eager, interleaved)",
            null, Bench::run))) {
      COMMANDS.put(c.name(), c);
    }
  }

  private Symmim() {}

  public static void main(String[] args) {
    boolean verbose = Arrays.asList(args).contains("--verbose");
    String[] rest = Arrays.stream(args).filter(a -> !a.equals("--verbose")).toArray(String[]::new);
    int code;
    try {
      code = run(rest);
    } catch (Exception | OutOfMemoryError e) {
      code = report(e, verbose, outputFlag(rest));
    }
    System.exit(code);
  }

  /**
   * One line for a failed command: {@code symmim: error: ...} with exit status 2 when the user's input
   * is at fault (an {@link IllegalArgumentException} anywhere in the cause chain, also from inside a
   * pipeline's worker), else {@code symmim: failed: ...} with 1; the stack trace only with --verbose.
   */
  static int report(Throwable e, boolean verbose) {
    return report(e, verbose, null);
  }

  /** A heap size as people say it: 6.3 GB; below 1 GB in MiB, the unit of -Xmx48m. */
  static String heapSize(long bytes) {
    return bytes >= 1e9 ? String.format("%.1f GB", bytes / 1e9) : String.format("%d MiB", bytes >> 20);
  }

  /** The value of {@code --output=} among {@code args}, or null. */
  static String outputFlag(String[] args) {
    return Arrays.stream(args).filter(a -> a.startsWith("--output=")).map(a -> a.substring("--output=".length()))
        .reduce((a, b) -> b).orElse(null);
  }

  /** As {@link #report(Throwable, boolean)}; a full disk names {@code output}, the command's --output. */
  static int report(Throwable e, boolean verbose, String output) {
    Throwable cause = e;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IllegalArgumentException) {
        cause = t;
        break;
      }
    }
    boolean userError = cause instanceof IllegalArgumentException;
    if (!userError) {
      while (cause.getCause() != null && cause.getCause() != cause) {
        cause = cause.getCause();
      }
    }
    String message = userError ? cause.getMessage() : cause.toString();
    if (cause instanceof OutOfMemoryError) {
      message = "out of memory (" + oomReason(cause.getMessage()) + ") with a Java heap of "
          + heapSize(Runtime.getRuntime().maxMemory())
          + ": give the JVM more with SYMMIM_JAVA_OPTS=-Xmx<size> (e.g. -Xmx12g; the default is a quarter of the "
          + "machine's memory) or ask for less at once (fewer --readouts, a smaller --batchSize)";
    } else if (String.valueOf(cause.getMessage()).contains("No space left on device")) {
      message = "no space left on device" + (output == null ? "" : " writing under --output=" + output)
          + ": nothing half-written was published; free space or choose another --output, then run the same "
          + "command again";
    }
    System.err.println("symmim: " + (userError ? "error: " : "failed: ") + message
        + (verbose ? "" : userError ? "" : " (--verbose prints the stack trace)"));
    if (verbose) {
      e.printStackTrace();
    }
    return userError ? 2 : 1;
  }

  /**
   * The first sentence of an out-of-memory error's message, and whether it was direct memory: Flink's
   * own messages (a network buffer pool too small for a tiny -Xmx) run to a paragraph of advice on
   * its settings, which symmim sets for you. Direct memory is capped at the heap size unless
   * {@code -XX:MaxDirectMemorySize} says otherwise, so -Xmx is the setting to change either way.
   */
  static String oomReason(String message) {
    if (message == null || message.isBlank()) {
      return "no detail";
    }
    String m = message.strip();
    int end = m.indexOf(". ");
    String first = end > 0 ? m.substring(0, end + 1) : m;
    if (first.length() > 240) {
      first = first.substring(0, 240) + "...";
    }
    boolean direct = m.contains("Direct buffer memory") || m.contains("direct memory");
    return direct && !first.toLowerCase(java.util.Locale.ROOT).contains("direct") ? first + " Direct buffer memory" : first;
  }

  /** Runs a command; returns the exit code. Bad flags throw IllegalArgumentException. */
  public static int run(String[] args) throws Exception {
    if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
      System.out.print(args.length > 1 ? help(args[1]) : usage());
      return 0;
    }
    Command command = command(args[0]);
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    if (command.name().equals("bench") && (Arrays.asList(rest).contains("--help") || Arrays.asList(rest).contains("-h")
        || (rest.length > 0 && rest[0].equals("help")))) {
      System.out.print(benchHelp(rest));
      return 0;
    }
    if (command.options() != null && Arrays.asList(rest).contains("--help")) {
      System.out.print(help(command.name()));
      return 0;
    }
    if (command.options() != null) {
      rest = RecordedFlags.apply(command.name(), rest, command.options());
    }
    return command.action().run(rest);
  }

  /** The command's options parsed from {@code args} (see {@link CommandLine}). */
  public static <T extends PipelineOptions> T parse(String[] args, Class<T> type) {
    return CommandLine.parse(args, type);
  }

  static String usage() {
    StringBuilder out = new StringBuilder("usage: symmim <command> [--flag=value ...]\n\ncommands:\n");
    COMMANDS.values().forEach(c -> out.append(String.format("  %-9s %s%n", c.name(), c.summary())));
    out.append(String.format("  %-9s %s%n", "help", "this text; 'symmim help <command>' (or 'symmim <command> --help') "
        + "lists the command's flags"));
    out.append("\nPipelines run on embedded Flink by default (--runner=FlinkRunner --flinkMaster=[local]);\n"
        + "--runner=SparkRunner --sparkMaster=local[2] (or spark://host:7077) and --runner=DirectRunner also work. "
        + "gs:// paths work everywhere; --gcsEndpoint=http://127.0.0.1:4443/storage/v1/\n"
        + "points them at a local GCS server (infra/dev/gcs-server.sh).\n"
        + "Replay a run: 'symmim <command> --config=<run.json>' takes the flags the run recorded (its run.json, "
        + "embed manifest.json, evaluate metrics.json or benchmark.json); flags given beside it override them.\n");
    return out.toString();
  }

  /** {@code symmim bench --help}: the targets; {@code symmim bench <target> --help}: that target's flags. */
  static String benchHelp(String[] rest) {
    String name = rest.length > 0 && !rest[0].startsWith("-") && !rest[0].equals("help") ? rest[0]
        : rest.length > 1 && rest[0].equals("help") ? rest[1] : null;
    if (name != null) {
      Bench.Target t = Bench.target(name);
      return Help.of("bench " + t.name(), t.summary(), t.options());
    }
    StringBuilder out = new StringBuilder("usage: symmim bench <target> [--flag=value ...]\n\n"
        + "benchmarks printing ratios measured side by side in one run:\n");
    Bench.TARGETS.forEach(t -> out.append(String.format("  %-9s %s%n", t.name(), t.summary())));
    out.append("\n'symmim bench <target> --help' lists the target's flags.\n");
    return out.toString();
  }

  /** The flags of {@code command}, generated from its options. */
  static String help(String name) {
    Command c = command(name);
    return c.options() == null ? c.summary() + "\n" : Help.of(c.name(), c.summary(), c.options());
  }

  /** The options interface of command {@code name} (null for a command with sub-commands). */
  public static Class<? extends PipelineOptions> options(String name) {
    return command(name).options();
  }

  /** The summary line of {@code name} (the Flex Template metadata's description). */
  public static String summary(String name) {
    return command(name).summary();
  }

  private static Command command(String name) {
    Command c = COMMANDS.get(name);
    if (c == null) {
      throw new IllegalArgumentException("unknown command '" + name + "'; commands: "
          + String.join(", ", COMMANDS.keySet()) + " (see 'symmim help')");
    }
    return c;
  }

  private static int done(Object result) {
    return 0;
  }
}
