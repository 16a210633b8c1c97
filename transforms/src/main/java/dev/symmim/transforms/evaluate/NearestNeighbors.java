package dev.symmim.transforms.evaluate;

import dev.symmim.schemas.Embedding;
import dev.symmim.transforms.dataset.StableHash;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;

/**
 * Exact cosine k nearest neighbours of every query among the bank, as blocked brute force: bank and
 * queries are grouped into blocks by a stable hash of the id; every (query block, bank block) pair
 * meets on one worker, which computes that pair's top-k per query; the partial lists are merged per
 * query. No worker ever holds more than one bank block, and the bank is never a side input.
 * Ties are broken by bank id, so the result is the same on every runner and layout.
 */
public final class NearestNeighbors
    extends PTransform<PCollection<Embedding>, PCollection<KV<String, QueryNeighbors>>> {
  private final String bankSplit;
  private final String querySplit;
  private final int k;
  private final int bankBlocks;
  private final int queryBlocks;

  private NearestNeighbors(String bankSplit, String querySplit, int k, int bankBlocks, int queryBlocks) {
    this.bankSplit = bankSplit;
    this.querySplit = querySplit;
    this.k = k;
    this.bankBlocks = bankBlocks;
    this.queryBlocks = queryBlocks;
  }

  /**
   * The {@code k} nearest {@code bankSplit} vectors of each {@code querySplit} vector, with bank and
   * queries cut into {@code bankBlocks} x {@code queryBlocks} pairs of work.
   */
  public static NearestNeighbors of(String bankSplit, String querySplit, int k, int bankBlocks, int queryBlocks) {
    if (k < 1 || bankBlocks < 1 || queryBlocks < 1) {
      throw new IllegalArgumentException("k, bankBlocks and queryBlocks must be >= 1");
    }
    return new NearestNeighbors(bankSplit, querySplit, k, bankBlocks, queryBlocks);
  }

  /** Blocks for {@code rows} vectors of at most about {@code blockRows} each. */
  public static int blocksFor(long rows, int blockRows) {
    return (int) Math.max(1, (rows + blockRows - 1) / blockRows);
  }

  @Override
  public PCollection<KV<String, QueryNeighbors>> expand(PCollection<Embedding> all) {
    PCollection<KV<Long, VectorBlock>> bankPairs = blocks(all, bankSplit, true, bankBlocks, "Bank");
    PCollection<KV<Long, VectorBlock>> queryPairs = blocks(all, querySplit, false, queryBlocks, "Query");
    return PCollectionList.of(bankPairs).and(queryPairs)
        .apply("AllPairs", Flatten.pCollections())
        .apply("MeetPerPair", GroupByKey.create())
        .apply("PairTopK", ParDo.of(new PairFn(k)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), KnnCoders.QueryNeighborsCoder.INSTANCE))
        .apply("MergePerQuery", Combine.perKey(new MergeFn(k)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), KnnCoders.QueryNeighborsCoder.INSTANCE));
  }

  private PCollection<KV<Long, VectorBlock>> blocks(PCollection<Embedding> all, String split, boolean bank,
      int blocks, String name) {
    return all
        .apply(name + "Rows", Filter.by(e -> e.getSplit().toString().equals(split)))
        .apply(name + "KeyByBlock", ParDo.of(new KeyByBlockFn(blocks)))
        .setCoder(KvCoder.of(VarIntCoder.of(), AvroCoder.of(Embedding.class)))
        .apply(name + "GroupBlocks", GroupByKey.create())
        .apply(name + "ToPairs", ParDo.of(new ToPairsFn(bank, queryBlocks, bankBlocks)))
        .setCoder(KvCoder.of(VarLongCoder.of(), KnnCoders.VectorBlockCoder.INSTANCE));
  }

  static class KeyByBlockFn extends DoFn<Embedding, KV<Integer, Embedding>> {
    private final int blocks;

    KeyByBlockFn(int blocks) {
      this.blocks = blocks;
    }

    @ProcessElement
    public void process(@Element Embedding e, OutputReceiver<KV<Integer, Embedding>> out) {
      out.output(KV.of((int) Math.floorMod(StableHash.of("knn-block", e.getId().toString()), (long) blocks), e));
    }
  }

  /** Packs a block and sends it to every pair it is in: key = queryBlock * bankBlocks + bankBlock. */
  static class ToPairsFn extends DoFn<KV<Integer, Iterable<Embedding>>, KV<Long, VectorBlock>> {
    private final boolean bank;
    private final int queryBlocks;
    private final int bankBlocks;

    ToPairsFn(boolean bank, int queryBlocks, int bankBlocks) {
      this.bank = bank;
      this.queryBlocks = queryBlocks;
      this.bankBlocks = bankBlocks;
    }

    @ProcessElement
    public void process(@Element KV<Integer, Iterable<Embedding>> group, OutputReceiver<KV<Long, VectorBlock>> out) {
      VectorBlock block = pack(bank, group.getKey(), group.getValue());
      int b = group.getKey();
      for (int p = 0; p < (bank ? queryBlocks : bankBlocks); p++) {
        out.output(KV.of(bank ? (long) p * bankBlocks + b : (long) b * bankBlocks + p, block));
      }
    }
  }

  /** Rows sorted by id, vectors L2-normalized. */
  static VectorBlock pack(boolean bank, int blockIndex, Iterable<Embedding> members) {
    List<Embedding> rows = new ArrayList<>();
    members.forEach(rows::add);
    rows.sort(Comparator.comparing(e -> e.getId().toString()));
    int dim = rows.get(0).getVector().size();
    float[] data = new float[rows.size() * dim];
    int[] labels = new int[rows.size()];
    List<String> ids = new ArrayList<>(rows.size());
    for (int r = 0; r < rows.size(); r++) {
      Embedding e = rows.get(r);
      if (e.getVector().size() != dim) {
        throw new IllegalArgumentException("embedding " + e.getId() + " has " + e.getVector().size()
            + " dimensions, others " + dim + ": mixed embeddings");
      }
      System.arraycopy(Vectors.normalized(Vectors.of(e.getVector())), 0, data, r * dim, dim);
      labels[r] = e.getLabel();
      ids.add(e.getId().toString());
    }
    return new VectorBlock(bank, blockIndex, ids, labels, data, dim);
  }

  /** One (query block, bank block) pair: each query's top-k within this bank block. */
  static class PairFn extends DoFn<KV<Long, Iterable<VectorBlock>>, KV<String, QueryNeighbors>> {
    private final Counter pairs = Metrics.counter("evaluate", "knnBlockPairs");
    private final Counter similarities = Metrics.counter("evaluate", "knnSimilarities");
    private final int k;

    PairFn(int k) {
      this.k = k;
    }

    @ProcessElement
    public void process(@Element KV<Long, Iterable<VectorBlock>> pair, OutputReceiver<KV<String, QueryNeighbors>> out) {
      VectorBlock bank = null;
      VectorBlock queries = null;
      for (VectorBlock b : pair.getValue()) {
        if (b.bank()) {
          bank = b;
        } else {
          queries = b;
        }
      }
      if (queries == null) {
        return;
      }
      if (bank == null) { // an empty bank block: the queries still need a (possibly empty) list
        for (int q = 0; q < queries.rows(); q++) {
          out.output(KV.of(queries.ids().get(q), new QueryNeighbors(queries.labels()[q], List.of())));
        }
        return;
      }
      if (bank.dim() != queries.dim()) {
        throw new IllegalArgumentException("bank vectors have " + bank.dim() + " dimensions, queries " + queries.dim());
      }
      topK(queries, bank, k).forEach(out::output);
      pairs.inc();
      similarities.inc((long) queries.rows() * bank.rows());
    }
  }

  /**
   * Per query row of {@code queries}: its {@code k} best rows of {@code bank}. All similarities of
   * a query are computed into one array; only rows at or above the k-th largest become
   * {@link Neighbor}s, then ties are ordered by id.
   */
  static List<KV<String, QueryNeighbors>> topK(VectorBlock queries, VectorBlock bank, int k) {
    int d = bank.dim();
    int rows = bank.rows();
    float[] sims = new float[rows];
    float[] sorted = new float[rows];
    List<KV<String, QueryNeighbors>> out = new ArrayList<>(queries.rows());
    for (int q = 0; q < queries.rows(); q++) {
      for (int b = 0; b < rows; b++) {
        sims[b] = Vectors.dot(queries.data(), q * d, bank.data(), b * d, d);
      }
      float threshold = Float.NEGATIVE_INFINITY;
      if (rows > k) {
        System.arraycopy(sims, 0, sorted, 0, rows);
        java.util.Arrays.sort(sorted);
        threshold = sorted[rows - k];
      }
      List<Neighbor> best = new ArrayList<>(Math.min(rows, k + 8));
      for (int b = 0; b < rows; b++) {
        if (sims[b] >= threshold) {
          best.add(new Neighbor(sims[b], bank.ids().get(b), bank.labels()[b]));
        }
      }
      best.sort(Neighbor.BEST_FIRST);
      List<Neighbor> kept = best.size() > k ? new ArrayList<>(best.subList(0, k)) : best;
      out.add(KV.of(queries.ids().get(q), new QueryNeighbors(queries.labels()[q], kept)));
    }
    return out;
  }

  /** Merges a query's partial lists into its global top-k. */
  static class MergeFn extends Combine.CombineFn<QueryNeighbors, QueryNeighbors, QueryNeighbors> {
    private final int k;

    MergeFn(int k) {
      this.k = k;
    }

    @Override
    public QueryNeighbors createAccumulator() {
      return new QueryNeighbors(-1, List.of());
    }

    @Override
    public QueryNeighbors addInput(QueryNeighbors acc, QueryNeighbors input) {
      return merge(List.of(acc, input));
    }

    @Override
    public QueryNeighbors mergeAccumulators(Iterable<QueryNeighbors> accs) {
      return merge(accs);
    }

    @Override
    public QueryNeighbors extractOutput(QueryNeighbors acc) {
      return acc;
    }

    /** One query, one label (-1: none); the best k of all lists. */
    private QueryNeighbors merge(Iterable<QueryNeighbors> lists) {
      int label = -1;
      TopK top = new TopK(k);
      for (QueryNeighbors q : lists) {
        label = Math.max(label, q.label());
        for (Neighbor n : q.neighbors()) {
          if (top.admits(n.similarity())) {
            top.offer(n);
          }
        }
      }
      return new QueryNeighbors(label, top.sorted());
    }

    @Override
    public org.apache.beam.sdk.coders.Coder<QueryNeighbors> getAccumulatorCoder(
        org.apache.beam.sdk.coders.CoderRegistry registry, org.apache.beam.sdk.coders.Coder<QueryNeighbors> inputCoder) {
      return KnnCoders.QueryNeighborsCoder.INSTANCE;
    }
  }
}
