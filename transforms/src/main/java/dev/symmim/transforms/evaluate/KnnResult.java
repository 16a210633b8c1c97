package dev.symmim.transforms.evaluate;

import java.util.List;

/**
 * The k-NN accuracy of one embedding set, next to its protocol.
 *
 * @param ks the accuracies for each k, in the order asked (the first is the command's {@code --k})
 */
public record KnnResult(String protocol, long bank, long queries, List<AtK> ks) {
  /** Top-1 and top-5 accuracy (fractions) at one k. */
  public record AtK(int k, double top1, double top5) {}

  /** The first k asked for (the command's {@code --k}). */
  public AtK primary() {
    return ks.get(0);
  }

  /** The result at {@code k}, or null if it was not computed. */
  public AtK at(int k) {
    return ks.stream().filter(a -> a.k() == k).findFirst().orElse(null);
  }
}
