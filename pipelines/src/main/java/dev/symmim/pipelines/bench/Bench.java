package dev.symmim.pipelines.bench;

import dev.symmim.pipelines.options.CommandLine;
import dev.symmim.pipelines.pretrain.PretrainOptions;
import dev.symmim.pipelines.pretrain.PretrainPipeline;

/** {@code symmim bench <what>}: benchmarks that print measured ratios. */
public final class Bench {
  private Bench() {}

  public static int run(String[] args) throws Exception {
    if (args.length == 0) {
      throw new IllegalArgumentException("bench needs a target: 'symmim bench prepare|pretrain|embed|index|train'");
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
      default:
        throw new IllegalArgumentException(
            "unknown benchmark '" + args[0] + "'; known: prepare, pretrain, embed, index, train");
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
