package dev.symmim.transforms.dataset;

import dev.symmim.schemas.Example;
import dev.symmim.schemas.ExampleSummary;
import dev.symmim.transforms.progress.ProgressMeter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SimpleFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Decides, on pixel-free summaries (a small shuffle), which example of each content hash is kept:
 * the one with the smallest id, so the choice does not depend on the runner's order. Emits the
 * kept examples' summaries with their final split ({@link #KEPT}) and {@code KV(droppedId, keptId)}
 * for the others ({@link #DUPLICATES}). {@link ShardExamples} applies the same rule to the pixels.
 */
public final class DeduplicateExamples extends PTransform<PCollection<Example>, PCollectionTuple> {
  public static final TupleTag<ExampleSummary> KEPT = new TupleTag<>() {};
  public static final TupleTag<KV<String, String>> DUPLICATES = new TupleTag<>() {};

  private final SplitRule splits;

  private DeduplicateExamples(SplitRule splits) {
    this.splits = splits;
  }

  public static DeduplicateExamples with(SplitRule splits) {
    return new DeduplicateExamples(splits);
  }

  /** The order that decides which duplicate is kept: the first by (content hash, id). */
  static final Comparator<Example> KEEP_ORDER =
      Comparator.comparing(Example::getContentHash).thenComparing(Example::getId);

  @Override
  public PCollectionTuple expand(PCollection<Example> input) {
    PCollectionTuple out =
        input
            .apply("Summarize", MapElements.via(new SimpleFunction<Example, KV<String, ExampleSummary>>() {
              @Override
              public KV<String, ExampleSummary> apply(Example e) {
                return KV.of(e.getContentHash(), ExampleSummary.newBuilder()
                    .setId(e.getId()).setContentHash(e.getContentHash()).setSplit(e.getSplit())
                    .setLabelName(e.getLabelName()).setSourceLabel(e.getLabel())
                    .setPayloadBytes(ShardLayout.payloadBytes(e)).build());
              }
            }))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), AvroCoder.of(ExampleSummary.class)))
            .apply("GroupByContent", GroupByKey.create())
            .apply("KeepSmallestId",
                ParDo.of(new KeepFirstFn(splits)).withOutputTags(KEPT, TupleTagList.of(DUPLICATES)));
    out.get(KEPT).setCoder(AvroCoder.of(ExampleSummary.class));
    out.get(DUPLICATES).setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()));
    return out;
  }

  static class KeepFirstFn extends DoFn<KV<String, Iterable<ExampleSummary>>, ExampleSummary> {
    private final Counter duplicates = Metrics.counter(DeduplicateExamples.class, "duplicates");
    private final Counter kept = Metrics.counter(DeduplicateExamples.class, "kept");
    private final SplitRule splits;

    KeepFirstFn(SplitRule splits) {
      this.splits = splits;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<ExampleSummary>> group, MultiOutputReceiver out) {
      // One pass: runners may hand out the group once (Flink does).
      List<ExampleSummary> same = new ArrayList<>();
      group.getValue().forEach(same::add);
      same.sort(Comparator.comparing(ExampleSummary::getId));
      ExampleSummary first = same.get(0);
      out.get(KEPT).output(ExampleSummary.newBuilder(first)
          .setSplit(splits.splitOf(first.getId(), first.getSplit())).build());
      kept.inc();
      for (ExampleSummary e : same.subList(1, same.size())) {
        out.get(DUPLICATES).output(KV.of(e.getId(), first.getId()));
        duplicates.inc();
        ProgressMeter.of("prepare").add("duplicates", 1);
      }
    }
  }
}
