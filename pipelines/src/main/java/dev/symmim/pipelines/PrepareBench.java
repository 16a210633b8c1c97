package dev.symmim.pipelines;

/** Placeholder until the benchmark lands. */
final class PrepareBench {
  private PrepareBench() {}

  static int run(PrepareBenchOptions o) {
    throw new UnsupportedOperationException("bench prepare: not yet");
  }
}
