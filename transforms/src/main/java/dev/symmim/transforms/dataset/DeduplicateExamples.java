package dev.symmim.transforms.dataset;

import dev.symmim.schemas.Example;
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
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Keeps one example per content hash (of the prepared raw pixels): the one with the smallest id,
 * so the choice does not depend on the runner's order. The others go to {@link #DUPLICATES} as
 * {@code KV(droppedId, keptId)} so every dropped input can be accounted for.
 */
public final class DeduplicateExamples extends PTransform<PCollection<Example>, PCollectionTuple> {
  public static final TupleTag<Example> UNIQUE = new TupleTag<>() {};
  public static final TupleTag<KV<String, String>> DUPLICATES = new TupleTag<>() {};

  private DeduplicateExamples() {}

  public static DeduplicateExamples create() {
    return new DeduplicateExamples();
  }

  @Override
  public PCollectionTuple expand(PCollection<Example> input) {
    PCollectionTuple out =
        input
            .apply("KeyByContent", WithKeys.of((Example e) -> e.getContentHash()).withKeyType(TypeDescriptors.strings()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), AvroCoder.of(Example.class)))
            .apply("GroupByContent", GroupByKey.create())
            .apply("KeepSmallestId",
                ParDo.of(new KeepFirstFn()).withOutputTags(UNIQUE, TupleTagList.of(DUPLICATES)));
    out.get(UNIQUE).setCoder(AvroCoder.of(Example.class));
    out.get(DUPLICATES).setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()));
    return out;
  }

  static class KeepFirstFn extends DoFn<KV<String, Iterable<Example>>, Example> {
    private final Counter duplicates = Metrics.counter(DeduplicateExamples.class, "duplicates");

    @ProcessElement
    public void process(@Element KV<String, Iterable<Example>> group, MultiOutputReceiver out) {
      // One pass: runners may hand out the group once (Flink does).
      List<Example> same = new ArrayList<>();
      group.getValue().forEach(same::add);
      same.sort(Comparator.comparing(Example::getId));
      out.get(UNIQUE).output(same.get(0));
      for (Example e : same.subList(1, same.size())) {
        out.get(DUPLICATES).output(KV.of(e.getId(), same.get(0).getId()));
        duplicates.inc();
        ProgressMeter.of("prepare").add("duplicates", 1);
      }
    }
  }
}
