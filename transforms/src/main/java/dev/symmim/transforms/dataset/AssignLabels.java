package dev.symmim.transforms.dataset;

import dev.symmim.schemas.Example;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Distinct;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Sets each example's {@code label} to the index of its {@code labelName} in the class list. The
 * list keeps the source's own class order when the source numbers its classes consistently (IDX,
 * CIFAR: the incoming {@code label} is that number); otherwise (folders) it is the distinct names
 * sorted, numerically when all are integers. Unlabeled examples keep -1.
 */
public final class AssignLabels extends PTransform<PCollection<Example>, PCollection<Example>> {
  private final PCollectionView<List<String>> classes;

  private AssignLabels(PCollectionView<List<String>> classes) {
    this.classes = classes;
  }

  /** Labels from {@code classes}, e.g. the output of {@link #classesOf}. */
  public static AssignLabels using(PCollectionView<List<String>> classes) {
    return new AssignLabels(classes);
  }

  /** The class list of {@code examples}, as a singleton view (empty if none is labeled). */
  public static PCollectionView<List<String>> classesOf(PCollection<Example> examples) {
    return examples
        .apply("LabelNames", MapElements.into(TypeDescriptors.strings())
            .via((Example e) -> e.getLabelName() == null ? "" : e.getLabel() + SEP + e.getLabelName()))
        .apply("DropUnlabeled", Filter.by((String name) -> !name.isEmpty()))
        .apply("DistinctNames", Distinct.create())
        .apply("SortNames", Combine.globally(new SortedNamesFn()).asSingletonView());
  }

  private static final String SEP = "\u0000";

  /**
   * Class order from distinct {@code "<sourceIndex>\0<name>"} pairs: by source index when every
   * name has exactly one index >= 0 and no two names share one, else {@link #sortClasses}.
   */
  static List<String> classOrder(Iterable<String> pairs) {
    Map<String, Integer> indexOf = new java.util.TreeMap<>();
    Map<Integer, String> nameOf = new java.util.TreeMap<>();
    boolean consistent = true;
    for (String pair : pairs) {
      int sep = pair.indexOf(SEP);
      int index = Integer.parseInt(pair.substring(0, sep));
      String name = pair.substring(sep + 1);
      Integer before = indexOf.put(name, index);
      String other = nameOf.put(index, name);
      consistent &= index >= 0 && (before == null || before == index) && (other == null || other.equals(name));
    }
    return consistent ? new ArrayList<>(nameOf.values()) : sortClasses(indexOf.keySet());
  }

  /** Names sorted: numerically when all are integers, else alphabetically. */
  public static List<String> sortClasses(Iterable<String> names) {
    TreeSet<String> set = new TreeSet<>();
    names.forEach(set::add);
    List<String> out = new ArrayList<>(set);
    boolean numeric = out.stream().allMatch(n -> n.matches("-?\\d{1,9}"));
    if (numeric) {
      out.sort(Comparator.comparingInt(Integer::parseInt));
    }
    return out;
  }

  @Override
  public PCollection<Example> expand(PCollection<Example> input) {
    return input
        .apply("SetLabelIndex", ParDo.of(new SetLabelFn(classes)).withSideInputs(classes))
        .setCoder(AvroCoder.of(Example.class));
  }

  static class SetLabelFn extends DoFn<Example, Example> {
    private final PCollectionView<List<String>> classes;
    private transient List<String> cachedList;
    private transient Map<String, Integer> index;

    SetLabelFn(PCollectionView<List<String>> classes) {
      this.classes = classes;
    }

    @ProcessElement
    public void process(ProcessContext c) {
      Example e = c.element();
      List<String> names = c.sideInput(classes);
      if (names != cachedList) {
        Map<String, Integer> m = new java.util.HashMap<>();
        for (int i = 0; i < names.size(); i++) {
          m.put(names.get(i), i);
        }
        index = m;
        cachedList = names;
      }
      int label = e.getLabelName() == null ? -1 : index.get(e.getLabelName());
      c.output(label == e.getLabel() ? e : Example.newBuilder(e).setLabel(label).build());
    }
  }

  static class SortedNamesFn extends Combine.CombineFn<String, List<String>, List<String>> {
    @Override
    public List<String> createAccumulator() {
      return new ArrayList<>();
    }

    @Override
    public List<String> addInput(List<String> acc, String name) {
      acc.add(name);
      return acc;
    }

    @Override
    public List<String> mergeAccumulators(Iterable<List<String>> accs) {
      List<String> merged = new ArrayList<>();
      accs.forEach(merged::addAll);
      return merged;
    }

    @Override
    public List<String> extractOutput(List<String> acc) {
      return classOrder(acc);
    }

    @Override
    public Coder<List<String>> getAccumulatorCoder(CoderRegistry registry, Coder<String> input) {
      return ListCoder.of(StringUtf8Coder.of());
    }

    @Override
    public List<String> defaultValue() {
      return List.of();
    }
  }
}
