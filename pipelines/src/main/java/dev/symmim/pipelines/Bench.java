package dev.symmim.pipelines;

/** {@code symmim bench <what>}: benchmarks that print measured ratios. */
final class Bench {
  private Bench() {}

  static int run(String[] args) throws Exception {
    if (args.length == 0) {
      throw new IllegalArgumentException("bench needs a target: 'symmim bench prepare|embed|index'");
    }
    String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
    switch (args[0]) {
      case "prepare":
        return PrepareBench.run(Symmim.options(rest, PrepareBenchOptions.class));
      case "embed":
        return EmbedBench.run(Symmim.options(rest, EmbedBenchOptions.class));
      case "index":
        return IndexBench.run(Symmim.options(rest, IndexBenchOptions.class));
      default:
        throw new IllegalArgumentException("unknown benchmark '" + args[0] + "'; known: prepare, embed, index");
    }
  }
}
