package dev.symmim.pipelines.bench;

import dev.symmim.pipelines.index.SearchCommand;
import dev.symmim.pipelines.runner.StageOptions;
import dev.symmim.pipelines.options.Flags;
import dev.symmim.pipelines.index.IndexPipeline;
import dev.symmim.pipelines.index.IndexOptions;
import dev.symmim.schemas.Embedding;
import dev.symmim.transforms.evaluate.ExactKnn;
import dev.symmim.transforms.evaluate.QueryNeighbors;
import dev.symmim.transforms.index.HnswIndex;
import dev.symmim.transforms.index.IndexManifest;
import dev.symmim.transforms.index.Neighbor;
import dev.symmim.transforms.index.SyntheticEmbeddings;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code symmim bench index}: Gaussian-clustered synthetic embeddings (fixed seed) -> {@code symmim
 * index} with 1 and 2 shards (build time) -> recall@10 against exact brute force and single-thread
 * queries/s over Lucene's search width (per thread CPU-second, which other processes on the machine
 * disturb less than wall time, and wall). Prints a table, the goal check and the default width.
 */
public final class IndexBench {
  static final int K = 10;
  static final String MODEL = "sha256:00000000synthetic/online";

  private IndexBench() {}

  /** One measured point. */
  record Point(int shards, int width, double recall, double qps, double cpuQps) {}

  public static int run(IndexBenchOptions o) throws Exception {
    Flags.check(o.getVectors() >= 1000, "vectors", o.getVectors(), "must be >= 1000");
    Flags.check(o.getQueries() >= 1, "queries", o.getQueries(), "must be >= 1");
    int[] widths = ints(o.getWidths(), "widths");
    int[] shardCounts = ints(o.getShardCounts(), "shardCounts");
    for (int w : widths) {
      Flags.check(w >= K, "widths", o.getWidths(), "must all be >= " + K);
    }
    Path work = Path.of(o.getBenchDir()).toAbsolutePath();
    int n = o.getVectors();
    System.out.printf("bench index: %d x %d-d vectors (%d Gaussian clusters, noise norm %.2f, seed %d), %d queries, "
        + "%d cores, Java %s, load average %.1f%n", n, o.getVectorDim(), o.getClusters(), o.getSpread(), o.getDataSeed(),
        o.getQueries(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), load());

    SyntheticEmbeddings.Clustered data = SyntheticEmbeddings.clustered(n + o.getQueries(), o.getVectorDim(), o.getClusters(),
        o.getSpread(), o.getDataSeed());
    List<Embedding> indexed = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      indexed.add(SyntheticEmbeddings.record(SyntheticEmbeddings.id(i), data.cluster()[i], data.vectors()[i], MODEL));
    }
    String embeddings = work.resolve("embeddings").toString();
    SyntheticEmbeddings.writeDirectory(embeddings, indexed, o.getVectorDim(), MODEL, o.getClusters(), 4);

    float[][] queries = Arrays.copyOfRange(data.vectors(), n, n + o.getQueries());
    long t0 = System.nanoTime();
    List<Set<String>> truth = exactTopK(indexed, queries);
    System.out.printf("exact brute force (evaluate.ExactKnn, 1 thread): %d queries in %.1f s%n", queries.length,
        (System.nanoTime() - t0) / 1e9);

    List<Point> points = new ArrayList<>();
    for (int shards : shardCounts) {
      IndexOptions io = StageOptions.derive(o, IndexOptions.class);
      io.setEmbeddings(embeddings);
      io.setOutput(work.resolve("index-" + shards).toString());
      io.setShards(shards);
      if (o.getReuseIndexes() && reusable(io.getOutput(), n, o.getVectorDim(), shards)) {
        System.out.printf("build: %d shard(s): reusing %s from an earlier run (--reuseIndexes; build not timed)%n",
            shards, io.getOutput());
      } else {
        long b0 = System.nanoTime();
        IndexManifest m = IndexPipeline.run(io);
        double build = (System.nanoTime() - b0) / 1e9;
        System.out.printf("build: %d shard(s), m=%d efConstruction=%d: %.1f s wall (pipeline incl. job start-up), "
            + "%d vectors, load average %.1f%n", shards, m.m(), m.efConstruction(), build, m.records(), load());
      }
      try (HnswIndex index = HnswIndex.open(io.getOutput())) {
        for (int w : widths) {
          points.add(measure(index, shards, w, queries, truth));
        }
      }
    }

    System.out.println();
    System.out.println("| shards | width | recall@10 | queries/s per thread (thread CPU time) | queries/s (wall, 1 thread) |");
    System.out.println("|---|---|---|---|---|");
    for (Point p : points) {
      System.out.printf("| %d | %d | %.4f | %.0f | %.0f |%n", p.shards(), p.width(), p.recall(), p.cpuQps(), p.qps());
    }
    Point goal = smallestWidth(points, shardCounts[0], 0.95);
    if (goal == null) {
      System.out.println("goal: no measured width reaches recall@10 >= 0.95");
    } else {
      System.out.printf("goal (recall@10 >= 0.95 at >= 5000 queries/s per thread): smallest width reaching 0.95 on %d "
          + "shard(s) is %d: recall@10 %.4f at %.0f queries per thread CPU-second (%.0f/s wall): %s%n", goal.shards(),
          goal.width(), goal.recall(), goal.cpuQps(), goal.qps(), goal.cpuQps() >= 5000 ? "met" : "NOT met");
    }
    Point safe = smallestWidth(points, shardCounts[0], 0.99);
    System.out.printf("default width: smallest with recall@10 >= 0.99 (margin for data harder than these clusters): "
        + "%s; symmim search --width defaults to %d%n", safe == null ? "none measured" : safe.width() + " ("
        + String.format("%.4f at %.0f queries per thread CPU-second", safe.recall(), safe.cpuQps()) + ")",
        SearchCommand.DEFAULT_WIDTH);
    return 0;
  }

  /** Whether {@code dir} holds a complete index of the same data shape (same generator, seed given by the caller). */
  private static boolean reusable(String dir, int n, int dim, int shards) {
    try {
      IndexManifest m = IndexManifest.readFrom(dir);
      return m.records() == n && m.dim() == dim && m.shards().size() == shards && MODEL.equals(m.modelId());
    } catch (IOException e) {
      return false;
    }
  }

  private static Point smallestWidth(List<Point> points, int shards, double recall) {
    Point best = null;
    for (Point p : points) {
      if (p.shards() == shards && p.recall() >= recall && (best == null || p.width() < best.width())) {
        best = p;
      }
    }
    return best;
  }

  /** The ids of each query's exact top-{@value #K} by cosine. */
  static List<Set<String>> exactTopK(List<Embedding> indexed, float[][] queries) {
    List<Embedding> all = new ArrayList<>(indexed);
    for (int q = 0; q < queries.length; q++) {
      Embedding e = SyntheticEmbeddings.record("q" + q, -1, queries[q], MODEL);
      e.setSplit("query");
      all.add(e);
    }
    Map<String, QueryNeighbors> exact = ExactKnn.neighbors(all, "train", "query", K);
    List<Set<String>> truth = new ArrayList<>();
    for (int q = 0; q < queries.length; q++) {
      Set<String> ids = new HashSet<>();
      exact.get("q" + q).neighbors().forEach(nb -> ids.add(nb.id()));
      truth.add(ids);
    }
    return truth;
  }

  /**
   * Recall@10 and single-thread queries/s at one width: one pass for recall (also the warm-up), then
   * the best of three timed passes of >= 1 s each.
   */
  static Point measure(HnswIndex index, int shards, int width, float[][] queries, List<Set<String>> truth)
      throws IOException {
    long found = 0;
    for (int q = 0; q < queries.length; q++) {
      for (Neighbor nb : index.search(queries[q], K, width)) {
        if (truth.get(q).contains(nb.id())) {
          found++;
        }
      }
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    double qps = 0;
    double cpuQps = 0;
    for (int pass = 0; pass < 3; pass++) { // best of 3: other processes only ever slow a pass down
      long done = 0;
      long t0 = System.nanoTime();
      long c0 = threads.getCurrentThreadCpuTime();
      while (System.nanoTime() - t0 < 1_000_000_000L) {
        for (float[] q : queries) {
          index.search(q, K, width);
        }
        done += queries.length;
      }
      qps = Math.max(qps, done / ((System.nanoTime() - t0) / 1e9));
      cpuQps = Math.max(cpuQps, done / ((threads.getCurrentThreadCpuTime() - c0) / 1e9));
    }
    double recall = found / (double) (K * queries.length);
    System.out.printf("search: %d shard(s) width %d: recall@10 %.4f, %.0f queries per CPU-second of the thread, "
        + "%.0f queries/s wall (1 thread; load average %.1f)%n", shards, width, recall, cpuQps, qps, load());
    return new Point(shards, width, recall, qps, cpuQps);
  }

  /** The 1-minute load average (other processes compete for the cores: timings are noisy when it exceeds them). */
  static double load() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  static int[] ints(String csv, String flag) {
    try {
      return Arrays.stream(csv.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + flag + "=" + csv + " must be comma-separated integers", e);
    }
  }
}
