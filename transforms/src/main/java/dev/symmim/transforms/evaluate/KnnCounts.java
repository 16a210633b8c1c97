package dev.symmim.transforms.evaluate;

import java.io.Serializable;

/**
 * Correct predictions over labeled queries, per k.
 *
 * @param ks the k values, e.g. {20, 200}
 * @param top1 queries whose top-ranked class is their label, per k
 * @param top5 queries whose label is among the 5 top-ranked classes, per k
 */
public record KnnCounts(long queries, int[] ks, long[] top1, long[] top5) implements Serializable {
  public static KnnCounts zero(int[] ks) {
    return new KnnCounts(0, ks, new long[ks.length], new long[ks.length]);
  }

  public KnnCounts plus(KnnCounts o) {
    long[] a = top1.clone();
    long[] b = top5.clone();
    for (int i = 0; i < ks.length; i++) {
      a[i] += o.top1[i];
      b[i] += o.top5[i];
    }
    return new KnnCounts(queries + o.queries, ks, a, b);
  }

  /** One labeled query's contribution. */
  public static KnnCounts of(QueryNeighbors q, int[] ks, double temperature, int numClasses) {
    long[] t1 = new long[ks.length];
    long[] t5 = new long[ks.length];
    for (int i = 0; i < ks.length; i++) {
      int[] ranked = KnnVote.rank(q.neighbors(), ks[i], temperature, numClasses, 5);
      t1[i] = ranked[0] == q.label() ? 1 : 0;
      for (int c : ranked) {
        t5[i] |= c == q.label() ? 1 : 0;
      }
    }
    return new KnnCounts(1, ks, t1, t5);
  }

  public double top1Accuracy(int i) {
    return queries == 0 ? Double.NaN : (double) top1[i] / queries;
  }

  public double top5Accuracy(int i) {
    return queries == 0 ? Double.NaN : (double) top5[i] / queries;
  }
}
