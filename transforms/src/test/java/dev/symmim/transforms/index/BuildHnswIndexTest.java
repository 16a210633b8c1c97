package dev.symmim.transforms.index;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.symmim.schemas.Embedding;
import dev.symmim.schemas.FailedRecord;
import dev.symmim.transforms.embed.EmbeddingsManifest;
import dev.symmim.transforms.evaluate.Vectors;
import dev.symmim.transforms.failures.WriteFailures;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.extensions.avro.io.AvroIO;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** BuildHnswIndex on the DirectRunner over real Avro embeddings directories, searched with HnswIndex. */
public class BuildHnswIndexTest {
  private static final int N = 2000;
  private static final int DIM = 32;
  private static final String MODEL = "sha256:0123456789abcdef/online";

  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static SyntheticEmbeddings.Clustered data;
  private static String embeddings;
  private static String oneShard;
  private static String threeShards;

  @BeforeClass
  public static void buildIndexes() throws Exception {
    data = SyntheticEmbeddings.clustered(N, DIM, 20, 0.6, 7);
    List<Embedding> records = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      records.add(SyntheticEmbeddings.record(SyntheticEmbeddings.id(i), data.cluster()[i], data.vectors()[i], MODEL));
    }
    embeddings = TMP.newFolder("embeddings").getPath();
    SyntheticEmbeddings.writeDirectory(embeddings, records, DIM, MODEL, 20, 3);
    oneShard = TMP.getRoot() + "/index-1";
    threeShards = TMP.getRoot() + "/index-3";
    build(embeddings, oneShard, 1, N);
    build(embeddings, threeShards, 3, N);
  }

  static IndexManifest build(String embeddingsDir, String out, int shards, long expected) throws Exception {
    EmbeddingsManifest em = EmbeddingsManifest.readFrom(embeddingsDir);
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    p.apply("Read", AvroIO.read(Embedding.class).from(embeddingsDir + "/embeddings/*.avro"))
        .apply("Index", BuildHnswIndex.to(out, em.dim(), em.modelId()).withShards(shards).withGraph(16, 100)
            .withSource(embeddingsDir, "test-sha", expected));
    p.run().waitUntilFinish();
    return IndexManifest.readFrom(out);
  }

  /** Ids of the k vectors with the highest cosine to q, by brute force. */
  static List<String> exact(float[] q, int k) {
    float[] u = CosineVectors.normalized(q);
    return IntStream.range(0, N).boxed()
        .sorted(Comparator.comparingDouble((Integer i) -> -Vectors.dot(u, 0, CosineVectors.normalized(data.vectors()[i]), 0, DIM))
            .thenComparing(SyntheticEmbeddings::id))
        .limit(k).map(SyntheticEmbeddings::id).toList();
  }

  static float[] nearCopy(int i, SplittableRandom r) {
    float[] q = data.vectors()[i].clone();
    for (int d = 0; d < DIM; d++) {
      q[d] += (float) ((r.nextDouble() - 0.5) * 1e-3);
    }
    return q;
  }

  @Test
  public void manifestDescribesTheShardsAndReconciles() throws Exception {
    IndexManifest m = IndexManifest.readFrom(threeShards);
    assertEquals(3, m.shards().size());
    assertEquals(N, m.records());
    assertEquals(N, m.inputs());
    assertEquals(0, m.failed());
    assertEquals(MODEL, m.modelId());
    assertEquals(DIM, m.dim());
    assertEquals("cosine", m.metric());
    assertTrue(m.reconciles());
    for (IndexManifest.Shard s : m.shards()) {
      assertTrue("shard " + s.shard() + " is balanced: " + s.records(), s.records() > N / 3 - 150 && s.records() < N / 3 + 150);
      for (IndexManifest.ShardFile f : s.files()) {
        assertEquals(f.bytes(), Files.size(Path.of(threeShards, s.path(), f.name())));
      }
    }
  }

  @Test
  public void nearCopiesOfIndexedVectorsFindThemFirstAndTheExactTopTen() throws Exception {
    SplittableRandom r = new SplittableRandom(1);
    try (HnswIndex index = HnswIndex.open(oneShard)) {
      for (int t = 0; t < 50; t++) {
        int i = r.nextInt(N);
        float[] q = nearCopy(i, r);
        List<Neighbor> hits = index.search(q, 10, 100);
        assertEquals(SyntheticEmbeddings.id(i), hits.get(0).id());
        assertEquals(1.0, hits.get(0).score(), 1e-4);
        assertEquals("class-" + data.cluster()[i], hits.get(0).labelName());
        assertEquals(data.cluster()[i], hits.get(0).label());
        assertEquals("train", hits.get(0).split());
        assertEquals(exact(q, 10), hits.stream().map(Neighbor::id).toList());
      }
    }
  }

  @Test
  public void threeShardsMergeToTheSingleShardResults() throws Exception {
    SplittableRandom r = new SplittableRandom(2);
    try (HnswIndex one = HnswIndex.open(oneShard); HnswIndex three = HnswIndex.open(threeShards)) {
      for (int t = 0; t < 50; t++) {
        float[] q = nearCopy(r.nextInt(N), r);
        List<Neighbor> a = one.search(q, 10, 100);
        List<Neighbor> b = three.search(q, 10, 100);
        assertEquals(a.stream().map(Neighbor::id).toList(), b.stream().map(Neighbor::id).toList());
        for (int j = 0; j < a.size(); j++) {
          assertEquals(a.get(j).score(), b.get(j).score(), 1e-6);
        }
      }
    }
  }

  @Test
  public void searchByIdLeavesTheRecordItselfOut() throws Exception {
    try (HnswIndex index = HnswIndex.open(threeShards)) {
      String id = SyntheticEmbeddings.id(123);
      List<Neighbor> hits = index.searchById(id, 5, 100);
      assertEquals(5, hits.size());
      List<String> expected = exact(data.vectors()[123], 6).stream().filter(x -> !x.equals(id)).limit(5).toList();
      assertEquals(expected, hits.stream().map(Neighbor::id).toList());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> index.searchById("no-such-id", 5, 100));
      assertThat(e.getMessage(), containsString("no-such-id"));
    }
  }

  @Test
  public void queryOfOtherDimensionIsRefused() throws Exception {
    try (HnswIndex index = HnswIndex.open(oneShard)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> index.search(new float[DIM + 1], 10, 100));
      assertThat(e.getMessage(), containsString("33 dimensions"));
      assertThat(e.getMessage(), containsString("has 32"));
    }
  }

  @Test
  public void missingShardFileIsAClearError() throws Exception {
    Path copy = TMP.newFolder("damaged").toPath();
    copyTree(Path.of(threeShards), copy);
    IndexManifest m = IndexManifest.readFrom(copy.toString());
    IndexManifest.Shard s = m.shards().get(1);
    Files.delete(copy.resolve(s.path()).resolve(s.files().get(0).name()));
    java.io.IOException e = assertThrows(java.io.IOException.class, () -> HnswIndex.open(copy.toString()));
    assertThat(e.getMessage(), containsString("shard 1 is missing shard-00001/" + s.files().get(0).name()));
  }

  @Test
  public void directoryWithoutIndexJsonIsNotAnIndex() throws Exception {
    java.io.IOException e = assertThrows(java.io.IOException.class, () -> HnswIndex.open(embeddings));
    assertThat(e.getMessage(), containsString("no index manifest"));
  }

  @Test
  public void badEmbeddingsBecomeDeadLettersAndCountsReconcile() throws Exception {
    List<Embedding> records = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      records.add(SyntheticEmbeddings.record(SyntheticEmbeddings.id(i), 0, data.vectors()[i], MODEL));
    }
    records.add(SyntheticEmbeddings.record("short", 0, new float[DIM - 1], MODEL));
    records.add(SyntheticEmbeddings.record("foreign", 0, data.vectors()[41], "sha256:ffffffffffffffff/online"));
    records.add(SyntheticEmbeddings.record("zero", 0, new float[DIM], MODEL));
    float[] nan = data.vectors()[42].clone();
    nan[3] = Float.NaN;
    records.add(SyntheticEmbeddings.record("nan", 0, nan, MODEL));
    String dir = TMP.newFolder("bad-embeddings").getPath();
    SyntheticEmbeddings.writeDirectory(dir, records, DIM, MODEL, 1, 1);
    String out = TMP.getRoot() + "/bad-index";
    IndexManifest m = build(dir, out, 5, records.size());
    assertEquals(44, m.inputs());
    assertEquals(40, m.records());
    assertEquals(4, m.failed());
    assertEquals(5, m.shards().size());
    List<String> reasons = new ArrayList<>();
    try (DataFileReader<FailedRecord> r = new DataFileReader<>(new File(out, WriteFailures.PATH),
        new SpecificDatumReader<>(FailedRecord.class))) {
      r.forEach(f -> reasons.add(f.getSource() + " " + f.getMessage()));
    }
    assertEquals(4, reasons.size());
    assertThat(reasons.toString(), containsString("#short wrong-dim: vector has 31 dimensions, the index has 32"));
    assertThat(reasons.toString(), containsString("#foreign other-model"));
    assertThat(reasons.toString(), containsString("#zero no-direction"));
    assertThat(reasons.toString(), containsString("#nan no-direction"));
    try (HnswIndex index = HnswIndex.open(out)) {
      assertEquals(SyntheticEmbeddings.id(7), index.search(data.vectors()[7], 1, 10).get(0).id());
    }
  }

  @Test
  public void fewerRecordsThanTheManifestListsFailTheBuild() throws Exception {
    Exception e = assertThrows(Exception.class, () -> build(embeddings, TMP.getRoot() + "/short-index", 1, N + 1));
    assertThat(rootMessage(e), containsString("read " + N + " records but its manifest lists " + (N + 1)));
    assertTrue(!Files.exists(Path.of(TMP.getRoot() + "/short-index", IndexManifest.FILE_NAME)));
  }

  static String rootMessage(Throwable t) {
    StringBuilder all = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      all.append(c.getMessage()).append(" | ");
    }
    return all.toString();
  }

  static void copyTree(Path from, Path to) throws Exception {
    try (var s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
  }
}
