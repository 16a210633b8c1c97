package dev.symmim.pipelines;

import dev.symmim.transforms.io.Sha256;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.symmim.schemas.Embedding;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.embed.EmbeddingsManifest;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The same records on every runner: {@code bin/symmim prepare} and then {@code bin/symmim embed}
 * (one small checkpoint, pretrained once on embedded Flink) run on embedded Flink, the
 * DirectRunner, the SparkRunner with {@code local[2]} and a standalone Flink 1.19 cluster started
 * by infra/flink/cluster.sh (JobManager and TaskManager JVMs, the jobs' jars staged over REST).
 * Every runner must give the same prepare manifest and byte-identical shards, the same embed
 * manifest counts and model id, and the same embedding records: same ids with the same split,
 * label and model id, vectors equal within {@link #VECTOR_TOLERANCE}.
 *
 * <p>Input: the first 1600 train and 400 test images of the shipped Fashion-MNIST subset (the
 * whole subset costs the DirectRunner minutes; these 2000 exercise the same code paths).
 */
public class RunnersIT {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  /**
   * Largest allowed |a - b| per vector component between runners. The weights, the images and
   * the batches (formed per shard before inference) are the same on every runner; what may differ
   * is the number of torch intra-op threads (cores / inference DoFns in the process, so 1 on
   * embedded Flink and Spark local[2] but all cores on the DirectRunner and the cluster's
   * TaskManager on a 2-core machine), which changes the order of float32 sums. That moves
   * components of order 1 by a few ulps (~1e-6); a real fault (another image, weights or
   * normalization) moves them by 0.01 to 1.
   */
  static final double VECTOR_TOLERANCE = 1e-4;

  static final int TRAIN = 1600;
  static final int TEST = 400;
  private static final int REST_PORT = 18081;
  private static final String REFERENCE = "flink-embedded";

  /** Runner name -> the runner flags, as a user types them. */
  static final Map<String, List<String>> RUNNERS = new LinkedHashMap<>();

  static {
    RUNNERS.put(REFERENCE, List.of());
    RUNNERS.put("direct", List.of("--runner=DirectRunner"));
    RUNNERS.put("spark-local2", List.of("--runner=SparkRunner", "--sparkMaster=local[2]"));
    RUNNERS.put("flink-cluster", List.of("--runner=FlinkRunner", "--flinkMaster=localhost:" + REST_PORT));
  }

  static Path root;
  static Path input;
  static Path checkpoint;
  static final Map<String, String> TIMES = new TreeMap<>();

  @BeforeClass
  public static void runEveryRunner() throws Exception {
    root = TMP.getRoot().toPath();
    input = DataflowTranslationIT.smallFashionMnist(root.resolve("fmnist"), TRAIN, TEST);
    checkpoint = root.resolve("pretrain");
    for (String runner : RUNNERS.keySet()) {
      if (runner.equals("flink-cluster")) {
        Path clusterDir = root.resolve("cluster");
        assertEquals("cluster.sh start", 0, cluster(clusterDir, "start"));
        try {
          prepareAndEmbed(runner);
        } finally {
          cluster(clusterDir, "stop");
        }
      } else {
        prepareAndEmbed(runner);
      }
    }
  }

  private static void prepareAndEmbed(String runner) throws Exception {
    List<String> flags = RUNNERS.get(runner);
    long t0 = System.nanoTime();
    cli(flags, "prepare", "--input=" + input, "--output=" + prepared(runner), "--imageSize=32", "--numShards=2");
    long t1 = System.nanoTime();
    if (runner.equals(REFERENCE)) {
      // A small checkpoint for every runner's embed: 8 steps of a dim-32 depth-2 ViT.
      cli(List.of(), "pretrain", "--data=" + prepared(runner), "--output=" + checkpoint, "--dim=32", "--depth=2",
          "--heads=2", "--headHidden=64", "--headOut=32", "--maxImages=256", "--batchSize=32", "--epochs=1",
          "--device=cpu", "--seed=7");
    }
    long t2 = System.nanoTime();
    cli(flags, "embed", "--data=" + prepared(runner), "--checkpoint=" + checkpoint, "--output=" + embedded(runner),
        "--batchSize=64", "--shards=2", "--device=cpu");
    long t3 = System.nanoTime();
    TIMES.put(runner, String.format("prepare %.1f s, embed %.1f s", (t1 - t0) / 1e9, (t3 - t2) / 1e9));
  }

  private static void cli(List<String> runnerFlags, String command, String... flags) throws Exception {
    List<String> args = new ArrayList<>();
    args.add(command);
    args.addAll(List.of(flags));
    args.addAll(runnerFlags);
    String log = SymmimProcess.run(Map.of(), args.toArray(new String[0]));
    System.out.println("$ bin/symmim " + String.join(" ", args) + "\n" + log);
  }

  static Path prepared(String runner) {
    return root.resolve("prepared-" + runner);
  }

  static Path embedded(String runner) {
    return root.resolve("embeddings-" + runner);
  }

  private static int cluster(Path dir, String action) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bash",
        SymmimProcess.repo().resolve("infra/flink/cluster.sh").toString(), action);
    pb.environment().putAll(Map.of("FLINK_CLUSTER_DIR", dir.toString(), "FLINK_REST_PORT", String.valueOf(REST_PORT),
        "FLINK_RPC_PORT", "16123", "FLINK_START_TIMEOUT", "120"));
    pb.redirectErrorStream(true);
    File log = dir.resolveSibling("cluster-" + action + ".log").toFile();
    pb.redirectOutput(log);
    Process p = pb.start();
    assertTrue("cluster.sh " + action + " did not finish", p.waitFor(180, TimeUnit.SECONDS));
    System.out.println(Files.readString(log.toPath(), StandardCharsets.UTF_8));
    return p.exitValue();
  }

  @AfterClass
  public static void printTimes() {
    // Wall time of each bin/symmim command, JVM start to exit (pretrain not included).
    TIMES.forEach((k, v) -> System.out.println("RunnersIT wall time " + k + ": " + v));
  }

  @Test
  public void prepareGivesTheSameManifestAndShardBytesOnEveryRunner() throws Exception {
    DatasetManifest ref = DatasetManifest.readFrom(prepared(REFERENCE).toString());
    assertEquals(TRAIN + TEST, ref.inputs());
    assertEquals(TRAIN, ref.splits().get("train").records());
    assertEquals(TEST, ref.splits().get("val").records());
    assertTrue(ref.reconciles());
    for (String runner : RUNNERS.keySet()) {
      DatasetManifest m = DatasetManifest.readFrom(prepared(runner).toString());
      assertEquals(runner, ref.inputs(), m.inputs());
      assertEquals(runner, ref.failed(), m.failed());
      assertEquals(runner, ref.duplicates(), m.duplicates());
      assertEquals(runner, ref.classes(), m.classes());
      for (String split : List.of("train", "val")) {
        DatasetManifest.Split a = ref.splits().get(split);
        DatasetManifest.Split b = m.splits().get(split);
        assertEquals(runner + " " + split, a.records(), b.records());
        assertEquals(runner + " " + split, a.classCounts(), b.classCounts());
        assertEquals(runner + " " + split + " shards (path, records, sha256)", a.shards(), b.shards());
        assertEquals(2, b.shards().size());
        for (DatasetManifest.Shard s : b.shards()) {
          assertEquals(runner + " " + s.path(), s.sha256(), Sha256.ofFiles(prepared(runner).resolve(s.path())));
        }
      }
    }
  }

  @Test
  public void embedGivesTheSameManifestCountsOnEveryRunner() throws Exception {
    EmbeddingsManifest ref = EmbeddingsManifest.readFrom(embedded(REFERENCE).toString());
    assertEquals(TRAIN + TEST, ref.inputs());
    assertEquals(0, ref.failed());
    assertEquals(Map.of("train", (long) TRAIN, "val", (long) TEST), ref.splits());
    assertTrue(ref.reconciles());
    for (String runner : RUNNERS.keySet()) {
      EmbeddingsManifest m = EmbeddingsManifest.readFrom(embedded(runner).toString());
      assertEquals(runner, ref.inputs(), m.inputs());
      assertEquals(runner, ref.failed(), m.failed());
      assertEquals(runner, ref.splits(), m.splits());
      assertEquals(runner, ref.modelId(), m.modelId());
      assertEquals(runner, ref.dim(), m.dim());
      // The prepared manifests are byte-identical, so each runner's embed saw the same dataset.
      assertEquals(runner, ref.datasetManifestSha256(), m.datasetManifestSha256());
      assertEquals(runner + " parts", ref.shards().stream().map(s -> s.path() + " " + s.records()).toList(),
          m.shards().stream().map(s -> s.path() + " " + s.records()).toList());
    }
  }

  @Test
  public void embedGivesTheSameRecordsOnEveryRunner() throws Exception {
    Map<String, Embedding> ref = records(REFERENCE);
    assertEquals(TRAIN + TEST, ref.size());
    EmbeddingsManifest refManifest = EmbeddingsManifest.readFrom(embedded(REFERENCE).toString());
    for (String runner : RUNNERS.keySet()) {
      Map<String, Embedding> m = records(runner);
      assertEquals(runner + " ids", ref.keySet(), m.keySet());
      double maxDiff = 0;
      for (Embedding a : ref.values()) {
        Embedding b = m.get(a.getId().toString());
        String what = runner + " " + a.getId();
        assertEquals(what, a.getSplit().toString(), b.getSplit().toString());
        assertEquals(what, a.getLabel(), b.getLabel());
        assertEquals(what, String.valueOf(a.getLabelName()), String.valueOf(b.getLabelName()));
        assertEquals(what, refManifest.modelId(), b.getModelId().toString());
        assertEquals(what, a.getVector().size(), b.getVector().size());
        for (int i = 0; i < a.getVector().size(); i++) {
          float x = a.getVector().get(i);
          float y = b.getVector().get(i);
          assertTrue(what + " component " + i + " is not finite", Float.isFinite(y));
          maxDiff = Math.max(maxDiff, Math.abs(x - y));
        }
      }
      int identicalParts = 0;
      EmbeddingsManifest mm = EmbeddingsManifest.readFrom(embedded(runner).toString());
      for (int i = 0; i < mm.shards().size(); i++) {
        identicalParts += mm.shards().get(i).sha256().equals(refManifest.shards().get(i).sha256()) ? 1 : 0;
      }
      System.out.printf("RunnersIT %s vs %s: %d records, max |vector difference| %.2e, %d of %d parts byte-identical%n",
          runner, REFERENCE, m.size(), maxDiff, identicalParts, mm.shards().size());
      assertTrue(runner + ": max vector difference " + maxDiff + " > " + VECTOR_TOLERANCE, maxDiff <= VECTOR_TOLERANCE);
    }
  }

  /** Every embedding record of a runner's output, by id (an id written twice fails). */
  static Map<String, Embedding> records(String runner) throws Exception {
    EmbeddingsManifest m = EmbeddingsManifest.readFrom(embedded(runner).toString());
    Map<String, Embedding> out = new TreeMap<>();
    for (DatasetManifest.Shard part : m.shards()) {
      File f = embedded(runner).resolve(part.path()).toFile();
      try (DataFileReader<Embedding> in = new DataFileReader<>(f, new SpecificDatumReader<>(Embedding.class))) {
        for (Embedding e : in) {
          assertTrue(runner + " duplicate id " + e.getId(), out.putIfAbsent(e.getId().toString(), e) == null);
        }
      }
    }
    return out;
  }
}
