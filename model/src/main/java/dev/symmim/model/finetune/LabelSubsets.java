package dev.symmim.model.finetune;

import dev.symmim.model.random.SeededRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Class-balanced labelled subsets for label-efficiency runs (METHOD.md section 6). Each class's
 * examples (in the given, stable order, e.g. ids sorted) are shuffled once by a permutation that
 * depends only on (seed, class); a subset takes a prefix of every class's permutation. So subsets
 * are deterministic per seed and nested: for one seed, 1% is inside 10% is inside 100%, and
 * {@code perClass(60)} is inside {@code perClass(600)}. Results are sorted example indices.
 */
public final class LabelSubsets {
  /** The RNG domain of the per-class permutations ({@code SeededRandom.forSample(seed, DOMAIN, class)}). */
  private static final long DOMAIN = -0x6C6162656CL; // "label", negative: never an epoch

  private LabelSubsets() {}

  /**
   * {@code round(fraction x count)} examples of every class (at least 1), {@code 0 < fraction <= 1}.
   *
   * @throws IllegalArgumentException naming the class when one of {@code [0, numClasses)} has no example,
   *     or the bad value of {@code fraction} / a label
   */
  public static int[] byFraction(int[] labels, int numClasses, double fraction, long seed) {
    if (!(fraction > 0 && fraction <= 1)) {
      throw new IllegalArgumentException("labelFraction must be in (0, 1], got " + fraction);
    }
    int[][] orders = classOrders(labels, numClasses, seed);
    int[] take = new int[numClasses];
    for (int c = 0; c < numClasses; c++) {
      take[c] = (int) Math.max(1, Math.round(fraction * orders[c].length));
    }
    return prefixes(orders, take);
  }

  /**
   * {@code count} examples of every class.
   *
   * @throws IllegalArgumentException naming the class when one has fewer than {@code count}
   *     examples (none at all included), or when {@code count < 1}
   */
  public static int[] perClass(int[] labels, int numClasses, int count, long seed) {
    if (count < 1) {
      throw new IllegalArgumentException("labelsPerClass must be >= 1 (0 would leave every class empty), got "
          + count);
    }
    int[][] orders = classOrders(labels, numClasses, seed);
    int[] take = new int[numClasses];
    for (int c = 0; c < numClasses; c++) {
      if (orders[c].length < count) {
        throw new IllegalArgumentException("class " + c + " has " + orders[c].length + " examples, fewer than the "
            + count + " labelsPerClass requested");
      }
      take[c] = count;
    }
    return prefixes(orders, take);
  }

  /** Every class's example indices in its seeded order; fails naming an empty class or a bad label. */
  static int[][] classOrders(int[] labels, int numClasses, long seed) {
    if (numClasses < 1) {
      throw new IllegalArgumentException("numClasses must be >= 1, got " + numClasses);
    }
    List<List<Integer>> members = new ArrayList<>(numClasses);
    for (int c = 0; c < numClasses; c++) {
      members.add(new ArrayList<>());
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= numClasses) {
        throw new IllegalArgumentException("label " + labels[i] + " of example " + i + " outside [0, " + numClasses
            + ")");
      }
      members.get(labels[i]).add(i);
    }
    int[][] orders = new int[numClasses][];
    for (int c = 0; c < numClasses; c++) {
      int[] order = members.get(c).stream().mapToInt(Integer::intValue).toArray();
      if (order.length == 0) {
        throw new IllegalArgumentException("class " + c + " has no examples among the " + labels.length
            + " labels: a class-balanced subset would leave it empty");
      }
      SeededRandom rng = SeededRandom.forSample(seed, DOMAIN, c);
      for (int i = order.length - 1; i > 0; i--) {
        int j = rng.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      orders[c] = order;
    }
    return orders;
  }

  private static int[] prefixes(int[][] orders, int[] take) {
    int total = 0;
    for (int t : take) {
      total += t;
    }
    int[] out = new int[total];
    int k = 0;
    for (int c = 0; c < orders.length; c++) {
      System.arraycopy(orders[c], 0, out, k, take[c]);
      k += take[c];
    }
    Arrays.sort(out);
    return out;
  }
}
