package dev.symmim.transforms.evaluate;

import dev.symmim.schemas.Embedding;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Plain in-memory exact k-NN (one loop over every query-bank pair): the reference and baseline. */
public final class ExactKnn {
  private ExactKnn() {}

  /** Each {@code querySplit} embedding's {@code k} nearest {@code bankSplit} embeddings (cosine). */
  public static Map<String, QueryNeighbors> neighbors(List<Embedding> all, String bankSplit, String querySplit, int k) {
    List<Embedding> bank = new ArrayList<>();
    List<Embedding> queries = new ArrayList<>();
    for (Embedding e : all) {
      if (e.getSplit().toString().equals(bankSplit)) {
        bank.add(e);
      } else if (e.getSplit().toString().equals(querySplit)) {
        queries.add(e);
      }
    }
    int d = bank.get(0).getVector().size();
    float[][] b = new float[bank.size()][];
    for (int i = 0; i < b.length; i++) {
      b[i] = Vectors.normalized(Vectors.of(bank.get(i).getVector()));
    }
    Map<String, QueryNeighbors> out = new LinkedHashMap<>();
    for (Embedding q : queries) {
      float[] v = Vectors.normalized(Vectors.of(q.getVector()));
      TopK top = new TopK(k);
      for (int i = 0; i < b.length; i++) {
        float s = Vectors.dot(v, 0, b[i], 0, d);
        if (top.admits(s)) {
          top.offer(new Neighbor(s, bank.get(i).getId().toString(), bank.get(i).getLabel()));
        }
      }
      out.put(q.getId().toString(), new QueryNeighbors(q.getLabel(), top.sorted()));
    }
    return out;
  }

  /** Accuracy of the weighted vote over {@link #neighbors}. */
  public static KnnCounts accuracy(Map<String, QueryNeighbors> lists, int[] ks, double temperature, int numClasses) {
    KnnCounts sum = KnnCounts.zero(ks);
    for (QueryNeighbors q : lists.values()) {
      if (q.label() >= 0) {
        sum = sum.plus(KnnCounts.of(q, ks, temperature, numClasses));
      }
    }
    return sum;
  }
}
