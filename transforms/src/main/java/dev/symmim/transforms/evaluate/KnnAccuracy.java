package dev.symmim.transforms.evaluate;

import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SerializableBiFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * DINO's weighted k-NN classifier over {@link NearestNeighbors}' lists: top-1 and top-5 accuracy
 * for each k (the lists must hold at least max(k) neighbours). Unlabeled queries are not counted.
 */
public final class KnnAccuracy extends PTransform<PCollection<KV<String, QueryNeighbors>>, PCollection<KnnCounts>> {
  private final int[] ks;
  private final double temperature;
  private final int numClasses;

  private KnnAccuracy(int[] ks, double temperature, int numClasses) {
    this.ks = ks.clone();
    this.temperature = temperature;
    this.numClasses = numClasses;
  }

  public static KnnAccuracy of(int[] ks, double temperature, int numClasses) {
    return new KnnAccuracy(ks, temperature, numClasses);
  }

  @Override
  public PCollection<KnnCounts> expand(PCollection<KV<String, QueryNeighbors>> lists) {
    int[] k = ks;
    double t = temperature;
    int c = numClasses;
    SerializableBiFunction<KnnCounts, KnnCounts, KnnCounts> add = KnnCounts::plus;
    return lists
        .apply("Labeled", Filter.by(q -> q.getValue().label() >= 0))
        .apply("Vote", MapElements.into(TypeDescriptor.of(KnnCounts.class)).via(q -> KnnCounts.of(q.getValue(), k, t, c)))
        .setCoder(SerializableCoder.of(KnnCounts.class))
        .apply("Sum", Combine.globally((Iterable<KnnCounts> all) -> {
          KnnCounts sum = KnnCounts.zero(k);
          for (KnnCounts x : all) {
            sum = add.apply(sum, x);
          }
          return sum;
        }))
        .setCoder(SerializableCoder.of(KnnCounts.class));
  }
}
