package dev.symmim.transforms.evaluate;

import java.util.List;

/**
 * DINO's weighted k-NN vote: each of the {@code k} nearest neighbours adds {@code exp(sim / T)} to
 * its class; classes ranked by score (ties: smaller class index first).
 */
public final class KnnVote {
  private KnnVote() {}

  /** Classes by descending score over the first {@code k} of {@code bestFirst}; at most {@code top} of them. */
  public static int[] rank(List<Neighbor> bestFirst, int k, double temperature, int numClasses, int top) {
    double[] score = new double[numClasses];
    int n = Math.min(k, bestFirst.size());
    for (int i = 0; i < n; i++) {
      Neighbor nb = bestFirst.get(i);
      if (nb.label() >= 0 && nb.label() < numClasses) {
        score[nb.label()] += Math.exp(nb.similarity() / temperature);
      }
    }
    int m = Math.min(top, numClasses);
    int[] ranked = new int[m];
    boolean[] taken = new boolean[numClasses];
    for (int r = 0; r < m; r++) {
      int best = -1;
      for (int c = 0; c < numClasses; c++) {
        if (!taken[c] && (best < 0 || score[c] > score[best])) {
          best = c;
        }
      }
      taken[best] = true;
      ranked[r] = best;
    }
    return ranked;
  }
}
