package dev.symmim.transforms.dataset;

import static com.google.common.base.Preconditions.checkArgument;

import dev.symmim.schemas.Example;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;

/**
 * Gives every example without a source split ({@code split == ""}) the split {@code val} when a
 * stable hash of (seed, id) falls below the validation fraction, else {@code train}. Examples whose
 * source carries a split keep it. The result depends only on ids, seed and fraction.
 */
public final class AssignSplits extends PTransform<PCollection<Example>, PCollection<Example>> {
  public static final String TRAIN = "train";
  public static final String VAL = "val";

  private final double valFraction;
  private final long seed;

  private AssignSplits(double valFraction, long seed) {
    this.valFraction = valFraction;
    this.seed = seed;
  }

  /** 10% validation, seed 0. */
  public static AssignSplits create() {
    return new AssignSplits(0.1, 0);
  }

  public AssignSplits withValFraction(double valFraction) {
    checkArgument(valFraction >= 0 && valFraction < 1, "valFraction must be in [0, 1), got %s", valFraction);
    return new AssignSplits(valFraction, seed);
  }

  public AssignSplits withSeed(long seed) {
    return new AssignSplits(valFraction, seed);
  }

  /** The split of an id without a source split. */
  public static String splitOf(String id, double valFraction, long seed) {
    return StableHash.unit("split:" + seed, id) < valFraction ? VAL : TRAIN;
  }

  @Override
  public PCollection<Example> expand(PCollection<Example> input) {
    return input
        .apply("AssignSplit", ParDo.of(new AssignSplitFn(valFraction, seed)))
        .setCoder(AvroCoder.of(Example.class));
  }

  static class AssignSplitFn extends DoFn<Example, Example> {
    private final Counter train = Metrics.counter(AssignSplits.class, "train");
    private final Counter val = Metrics.counter(AssignSplits.class, "val");
    private final double valFraction;
    private final long seed;

    AssignSplitFn(double valFraction, long seed) {
      this.valFraction = valFraction;
      this.seed = seed;
    }

    @ProcessElement
    public void process(@Element Example e, OutputReceiver<Example> out) {
      String split = e.getSplit().isEmpty() ? splitOf(e.getId(), valFraction, seed) : e.getSplit();
      (VAL.equals(split) ? val : train).inc();
      out.output(split.equals(e.getSplit()) ? e : Example.newBuilder(e).setSplit(split).build());
    }
  }
}
