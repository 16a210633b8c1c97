package dev.symmim.transforms.evaluate;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.symmim.schemas.Embedding;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.junit.Rule;
import org.junit.Test;

public class NearestNeighborsTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  static final int[] KS = {5, 20};

  /** Clustered random vectors (so k-NN is meaningful) plus exact duplicates in the bank (ties). */
  static List<Embedding> data(int bank, int queries, int dim, int classes, long seed) {
    Random r = new Random(seed);
    float[][] centers = new float[classes][dim];
    for (float[] c : centers) {
      for (int i = 0; i < dim; i++) {
        c[i] = (float) r.nextGaussian();
      }
    }
    List<Embedding> out = new ArrayList<>();
    for (int n = 0; n < bank + queries; n++) {
      int label = r.nextInt(classes);
      List<Float> v = new ArrayList<>();
      for (int i = 0; i < dim; i++) {
        v.add(centers[label][i] + 1.0f * (float) r.nextGaussian());
      }
      String split = n < bank ? "train" : "val";
      out.add(embedding(split + "-" + n, split, label, v));
      if (n < bank && n % 50 == 0) { // a duplicate vector under another id: a tie to break by id
        out.add(embedding("dup-" + n, split, label, v));
      }
    }
    out.add(embedding("unlabeled-query", "val", -1, out.get(0).getVector()));
    return out;
  }

  static Embedding embedding(String id, String split, int label, List<Float> v) {
    return Embedding.newBuilder().setId(id).setSplit(split).setLabel(label).setVector(v).setModelId("test").build();
  }

  @Test
  public void blockedNeighboursEqualExactInMemoryNeighbours() {
    List<Embedding> all = data(300, 80, 16, 6, 7);
    Map<String, QueryNeighbors> exact = ExactKnn.neighbors(all, "train", "val", 20);
    PCollection<KV<String, QueryNeighbors>> lists = p.apply(Create.of(all).withCoder(AvroCoder.of(Embedding.class)))
        .apply(NearestNeighbors.of("train", "val", 20, 3, 2));
    PAssert.that(lists).satisfies(got -> {
      int n = 0;
      for (KV<String, QueryNeighbors> kv : got) {
        QueryNeighbors want = exact.get(kv.getKey());
        assertEquals(kv.getKey(), want, kv.getValue());
        n++;
      }
      assertEquals(exact.size(), n);
      return null;
    });
    KnnCounts exactCounts = ExactKnn.accuracy(exact, KS, 0.07, 6);
    PAssert.thatSingleton(lists.apply(KnnAccuracy.of(KS, 0.07, 6))).satisfies(c -> {
      assertEquals(80, c.queries());
      assertArrayEquals(exactCounts.top1(), c.top1());
      assertArrayEquals(exactCounts.top5(), c.top5());
      assertTrue("clustered data must be mostly right: " + c.top1Accuracy(0), c.top1Accuracy(0) > 0.8);
      return null;
    });
    p.run().waitUntilFinish();
  }

  @Test
  public void tiesAreBrokenByBankId() {
    List<Embedding> all = data(200, 10, 8, 3, 3);
    Map<String, QueryNeighbors> exact = ExactKnn.neighbors(all, "train", "val", 200);
    // the query equal to bank vector 0 (which has a duplicate "dup-0") ranks both first, "dup-0" before "train-0"
    QueryNeighbors q = exact.get("unlabeled-query");
    assertEquals("dup-0", q.neighbors().get(0).id());
    assertEquals("train-0", q.neighbors().get(1).id());
    assertEquals(q.neighbors().get(0).similarity(), q.neighbors().get(1).similarity(), 0f);
  }

  @Test
  public void weightedVoteFollowsDino() {
    List<Neighbor> n = List.of(new Neighbor(0.9f, "a", 1), new Neighbor(0.5f, "b", 2), new Neighbor(0.49f, "c", 2));
    // exp(0.9/0.07) > exp(0.5/0.07) + exp(0.49/0.07): one close neighbour outvotes two far ones
    assertEquals(1, KnnVote.rank(n, 3, 0.07, 3, 1)[0]);
    // with a high temperature the votes are nearly counts: class 2 wins
    assertEquals(2, KnnVote.rank(n, 3, 100, 3, 1)[0]);
    // k = 1 looks at the first neighbour only
    assertArrayEquals(new int[] {1, 0, 2}, KnnVote.rank(n, 1, 0.07, 3, 3));
  }
}
