package dev.symmim.transforms.dataset;

import dev.symmim.schemas.ExampleSummary;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Distinct;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The class list of a dataset; a label is an index into it. The list keeps the source's own class
 * order when the source numbers its classes consistently (IDX, CIFAR); otherwise (folders) it is
 * the distinct names sorted, numerically when all are integers.
 */
public final class ClassList {
  private static final String SEP = "\u0000";

  private ClassList() {}

  /** The class list of the kept examples, as a singleton view (empty if none is labeled). */
  public static PCollectionView<List<String>> of(PCollection<ExampleSummary> kept) {
    return kept
        .apply("LabelNames", MapElements.into(TypeDescriptors.strings())
            .via((ExampleSummary e) -> e.getLabelName() == null ? "" : e.getSourceLabel() + SEP + e.getLabelName()))
        .apply("DropUnlabeled", Filter.by((String name) -> !name.isEmpty()))
        .apply("DistinctNames", Distinct.create())
        .apply("OrderClasses", Combine.globally(new OrderFn()).asSingletonView());
  }

  /**
   * Class order from distinct {@code "<sourceIndex>\0<name>"} pairs: by source index when every
   * name has exactly one index >= 0 and no two names share one, else {@link #sortClasses}.
   */
  static List<String> classOrder(Iterable<String> pairs) {
    Map<String, Integer> indexOf = new TreeMap<>();
    Map<Integer, String> nameOf = new TreeMap<>();
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
    if (out.stream().allMatch(n -> n.matches("-?\\d{1,9}"))) {
      out.sort(Comparator.comparingInt(Integer::parseInt));
    }
    return out;
  }

  /** Name -> label index. */
  public static Map<String, Integer> index(List<String> classes) {
    Map<String, Integer> m = new HashMap<>();
    for (int i = 0; i < classes.size(); i++) {
      m.put(classes.get(i), i);
    }
    return m;
  }

  static class OrderFn extends Combine.CombineFn<String, List<String>, List<String>> {
    @Override
    public List<String> createAccumulator() {
      return new ArrayList<>();
    }

    @Override
    public List<String> addInput(List<String> acc, String pair) {
      acc.add(pair);
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
