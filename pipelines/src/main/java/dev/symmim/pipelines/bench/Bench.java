package dev.symmim.pipelines.bench;

import dev.symmim.pipelines.options.CommandLine;
import dev.symmim.pipelines.pretrain.PretrainOptions;
import dev.symmim.pipelines.pretrain.PretrainPipeline;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;

/** {@code symmim bench <what>}: benchmarks that print measured ratios. */
public final class Bench {
  private Bench() {}

  /** A benchmark target of {@code symmim bench}: its name, what it measures and its flags. */
  public record Target(String name, String summary, Class<? extends PipelineOptions> options) {}

  /** Every target, in the order {@code symmim bench --help} lists them. */
  public static final List<Target> TARGETS = List.of(
      new Target("prepare", "the prepare stage vs a plain single-thread decode + resize + hash loop in the same "
          + "JVM (throughput ratio)", PrepareBenchOptions.class),
      new Target("pretrain", "the pretrain stage (any pretrain flag) with its overhead benchmark: full-stage vs "
          + "bare-loop img/s in the same run (--benchBareSteps=50 unless given)", PretrainOptions.class),
      new Target("embed", "the embed stage vs bare batched inference; with --against=pytorch, DJL vs plain "
          + "PyTorch eager inference (the flags of 'symmim bench train --help')", EmbedBenchOptions.class),
      new Target("index", "HNSW index build and search: recall@10 and queries/s vs exact search, per graph "
          + "width and shard count", IndexBenchOptions.class),
      new Target("train", "the full SymMIM training step, DJL vs plain PyTorch eager (--against=pytorch), "
          + "same model, batch and threads, interleaved; prints the ratio", TorchBenchOptions.class),
      new Target("memory", "peak RSS and wall time of evaluate, index and embed (each its own bin/symmim process) "
          + "on synthetic inputs of growing size (--sizes=10000,100000,1000000); table + memory.json",
          MemoryBenchOptions.class));

  /** The target called {@code name}; an unknown name is a user error listing the known ones. */
  public static Target target(String name) {
    return TARGETS.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow(() ->
        new IllegalArgumentException("unknown benchmark '" + name + "'; known: "
            + String.join(", ", TARGETS.stream().map(Target::name).toList()) + " (see 'symmim bench --help')"));
  }

  public static int run(String[] args) throws Exception {
    if (args.length == 0) {
      throw new IllegalArgumentException("bench needs a target: 'symmim bench prepare|pretrain|embed|index|train|memory' "
          + "(see 'symmim bench --help')");
    }
    String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
    switch (args[0]) {
      case "prepare":
        return PrepareBench.run(CommandLine.parse(rest, PrepareBenchOptions.class));
      case "pretrain":
        return pretrain(CommandLine.parse(rest, PretrainOptions.class));
      case "embed":
        if (java.util.Arrays.stream(rest).anyMatch(a -> a.startsWith("--against="))) {
          TorchComparison.run(CommandLine.parse(rest, TorchBenchOptions.class), TorchComparison.Workload.EMBED,
              System.out);
          return 0;
        }
        return EmbedBench.run(CommandLine.parse(rest, EmbedBenchOptions.class));
      case "train":
        TorchComparison.run(CommandLine.parse(rest, TorchBenchOptions.class), TorchComparison.Workload.TRAIN,
            System.out);
        return 0;
      case "index":
        return IndexBench.run(CommandLine.parse(rest, IndexBenchOptions.class));
      case "memory":
        return MemoryBench.run(CommandLine.parse(rest, MemoryBenchOptions.class));
      default:
        target(args[0]);
        throw new IllegalStateException("no runner for benchmark " + args[0]);
    }
  }

  /**
   * {@code symmim bench pretrain [pretrain flags]}: the pretrain stage with its overhead benchmark
   * on (50 bare-loop steps unless {@code --benchBareSteps} says otherwise), which logs full-stage
   * vs bare-loop img/s measured in the same run.
   */
  private static int pretrain(PretrainOptions o) throws Exception {
    if (o.getBenchBareSteps() == 0) {
      o.setBenchBareSteps(50);
    }
    PretrainPipeline.run(o);
    return 0;
  }
}
