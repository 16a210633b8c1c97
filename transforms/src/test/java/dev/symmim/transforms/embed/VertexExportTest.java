package dev.symmim.transforms.embed;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.symmim.model.config.DeviceKind;
import dev.symmim.schemas.Embedding;
import dev.symmim.schemas.Example;
import dev.symmim.schemas.PixelEncoding;
import dev.symmim.transforms.dataset.DatasetManifest;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The Vertex AI Vector Search export of {@code symmim embed}, checked against Vertex's documented formats:
 * the input records ({@code id}, {@code embedding}, {@code restricts} of {@code namespace} / {@code allow} /
 * {@code deny}, {@code crowding_tag}) and the index metadata of {@code gcloud ai indexes create}.
 */
public class VertexExportTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int SIZE = EmbedDatasetTest.SIZE;

  // Vertex's NearestNeighborSearchConfig enums (cloud.google.com/vertex-ai/docs/vector-search/configuring-indexes).
  private static final Set<String> DISTANCES = Set.of("SQUARED_L2_DISTANCE", "L1_DISTANCE", "DOT_PRODUCT_DISTANCE",
      "COSINE_DISTANCE");
  private static final Set<String> NORMS = Set.of("UNIT_L2_NORM", "NONE");
  private static final Set<String> SHARD_SIZES = Set.of("SHARD_SIZE_SMALL", "SHARD_SIZE_MEDIUM", "SHARD_SIZE_LARGE");

  static Embedding embedding(String id, String split, int label, String labelName) {
    return Embedding.newBuilder().setId(id).setSplit(split).setLabel(label).setLabelName(labelName)
        .setVector(List.of(0.5f, -1.25f, 3f)).setModelId("m").build();
  }

  static JsonNode written(VertexExport vertex, Embedding e, List<String> classes) throws Exception {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
      vertex.write(g, e, classes);
    }
    return JSON.readTree(out.toString());
  }

  static List<String> keys(JsonNode node) {
    List<String> keys = new ArrayList<>();
    node.fieldNames().forEachRemaining(keys::add);
    return keys;
  }

  /** The restricts of a record as namespace -> allowed tokens, after checking their documented shape. */
  static Map<String, List<String>> restricts(JsonNode record) {
    JsonNode restricts = record.get("restricts");
    assertTrue(record.toString(), restricts.isArray());
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (JsonNode r : restricts) {
      assertTrue(r.toString(), Set.of("namespace", "allow", "deny").containsAll(keys(r)));
      assertTrue(r.toString(), r.get("namespace").isTextual());
      assertTrue(r.toString(), r.get("allow").isArray());
      List<String> allow = new ArrayList<>();
      r.get("allow").forEach(t -> {
        assertTrue(r.toString(), t.isTextual());
        allow.add(t.asText());
      });
      assertNull("one restrict per namespace: " + record, out.put(r.get("namespace").asText(), allow));
    }
    return out;
  }

  @Test
  public void aLabelledRecordIsRestrictedBySplitAndClassName() throws Exception {
    JsonNode v = written(VertexExport.defaults(), embedding("a", "train", 1, "trouser"), List.of("top", "trouser"));
    assertEquals(List.of("id", "embedding", "restricts"), keys(v));
    assertEquals("a", v.get("id").asText());
    assertEquals(3, v.get("embedding").size());
    assertEquals(-1.25, v.get("embedding").get(1).asDouble(), 0);
    assertEquals(Map.of("split", List.of("train"), "label", List.of("trouser")), restricts(v));
  }

  @Test
  public void aLabelWithoutNameTakesTheClassNameElseTheIndex() throws Exception {
    Embedding e = embedding("b", "val", 1, null);
    assertEquals(List.of("trouser"), restricts(written(VertexExport.defaults(), e, List.of("top", "trouser"))).get("label"));
    assertEquals(List.of("1"), restricts(written(VertexExport.defaults(), e, List.of())).get("label"));
    assertEquals(List.of("1"), restricts(written(VertexExport.defaults(), e, null)).get("label"));
  }

  @Test
  public void anUnlabelledRecordIsRestrictedBySplitOnly() throws Exception {
    JsonNode v = written(new VertexExport(true, 150), embedding("c", "val", -1, null), List.of("top"));
    assertEquals(Map.of("split", List.of("val")), restricts(v));
    assertFalse("no label, no crowding tag: " + v, v.has("crowding_tag"));
  }

  @Test
  public void theCrowdingTagIsTheLabelOnlyWhenAsked() throws Exception {
    Embedding e = embedding("d", "train", 0, "top");
    assertFalse(written(VertexExport.defaults(), e, List.of("top")).has("crowding_tag"));
    JsonNode v = written(new VertexExport(true, 150), e, List.of("top"));
    assertEquals(List.of("id", "embedding", "restricts", "crowding_tag"), keys(v));
    assertEquals("top", v.get("crowding_tag").asText());
  }

  @Test
  public void badSettingsAreRefused() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new VertexExport(false, 0)).getMessage()
        .contains("approximateNeighborsCount must be >= 1, got 0"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> VertexIndexMetadata.of("gs://b/v", 0, 1, 150))
        .getMessage().contains("dimensions must be >= 1, got 0"));
  }

  @Test
  public void theShardSizeFollowsTheRawVectorBytes() {
    assertEquals("SHARD_SIZE_SMALL", VertexIndexMetadata.shardSize(70_000, 384));
    assertEquals("SHARD_SIZE_SMALL", VertexIndexMetadata.shardSize((1L << 30) / (4 * 256), 256));
    assertEquals("SHARD_SIZE_MEDIUM", VertexIndexMetadata.shardSize((1L << 30) / (4 * 256) + 1, 256));
  }

  /**
   * A train and a val shard: labelled examples with a class name, labelled ones without (their name comes
   * from the manifest's classes) and unlabelled ones.
   */
  static Path dataset(Path dir) throws Exception {
    Random r = new Random(7);
    Map<String, DatasetManifest.Split> splits = new LinkedHashMap<>();
    for (String split : List.of("train", "val")) {
      List<Example> examples = new ArrayList<>();
      for (int i = 0; i < 9; i++) {
        byte[] px = new byte[SIZE * SIZE];
        r.nextBytes(px);
        int label = i % 3 == 2 ? -1 : i % 2;
        String name = label < 0 || i % 3 == 1 ? null : List.of("even", "odd").get(label);
        examples.add(Example.newBuilder().setId(split + i).setSource("test:" + split + i).setSplit(split)
            .setLabel(label).setLabelName(name).setHeight(SIZE).setWidth(SIZE).setChannels(1)
            .setEncoding(PixelEncoding.RAW).setPixels(ByteBuffer.wrap(px)).setContentHash("h" + split + i).build());
      }
      splits.put(split, EmbedDatasetTest.writeSplit(dir, split, examples));
    }
    new DatasetManifest(18, 0, 0, splits, List.of("even", "odd"), SIZE, 1, "raw", new double[] {0.5},
        new double[] {0.29}, null).writeTo(dir.toString());
    return dir;
  }

  /** Runs {@code symmim embed}'s composite over {@link #dataset} with raw pixels; returns the output directory. */
  Path embed(VertexExport vertex) throws Exception {
    Path data = dataset(tmp.newFolder().toPath());
    Path out = tmp.newFolder().toPath();
    Embedder.Spec spec = new Embedder.Spec(EncoderKind.pixels, null, DeviceKind.CPU, SIZE, 1, new double[] {0.5},
        new double[] {0.25}, 1, "cls", null);
    EmbedDatasetTest.run(EmbedDatasetTest.plan(data, out, spec, "pixels/8x8x1", SIZE * SIZE, vertex));
    return out;
  }

  /** Every Vertex record of {@code out}, by id, after checking each line against the documented record format. */
  static Map<String, JsonNode> records(Path out, EmbeddingsManifest m) throws Exception {
    Map<String, JsonNode> byId = new HashMap<>();
    for (String file : m.vertexFiles()) {
      for (String line : Files.readAllLines(out.resolve(file))) {
        if (line.isEmpty()) {
          continue;
        }
        JsonNode v = JSON.readTree(line);
        assertTrue(line, v.isObject());
        assertTrue(line, Set.of("id", "embedding", "restricts", "crowding_tag").containsAll(keys(v)));
        assertTrue(line, v.get("id").isTextual() && !v.get("id").asText().isEmpty());
        assertEquals(line, m.dim(), v.get("embedding").size());
        for (JsonNode x : v.get("embedding")) {
          assertTrue(line, x.isNumber() && Double.isFinite(x.asDouble()));
        }
        assertTrue(line, !v.has("crowding_tag") || v.get("crowding_tag").isTextual());
        assertNull("ids are unique: " + v.get("id"), byId.put(v.get("id").asText(), v));
      }
    }
    return byId;
  }

  @Test
  public void embedWritesVertexRecordsWithSplitAndLabelRestricts() throws Exception {
    Path out = embed(VertexExport.defaults());
    EmbeddingsManifest m = EmbeddingsManifest.readFrom(out.toString());
    Map<String, JsonNode> records = records(out, m);
    assertEquals(18, records.size());
    assertEquals(m.records(), records.size());
    for (int i = 0; i < 9; i++) {
      for (String split : List.of("train", "val")) {
        JsonNode v = records.get(split + i);
        Map<String, List<String>> expected = new LinkedHashMap<>();
        expected.put("split", List.of(split));
        if (i % 3 != 2) {
          expected.put("label", List.of(List.of("even", "odd").get(i % 2))); // named, or named from the classes
        }
        assertEquals(v.toString(), expected, restricts(v));
        assertFalse(v.toString(), v.has("crowding_tag"));
      }
    }
  }

  @Test
  public void embedWithLabelCrowdingTagsLabelledRecordsOnly() throws Exception {
    Path out = embed(new VertexExport(true, 40));
    EmbeddingsManifest m = EmbeddingsManifest.readFrom(out.toString());
    Map<String, JsonNode> records = records(out, m);
    int tagged = 0;
    for (JsonNode v : records.values()) {
      List<String> label = restricts(v).get("label");
      if (label == null) {
        assertFalse(v.toString(), v.has("crowding_tag"));
      } else {
        assertEquals(v.toString(), label.get(0), v.get("crowding_tag").asText());
        tagged++;
      }
    }
    assertEquals(12, tagged);
    assertEquals(40, JSON.readTree(out.resolve(VertexIndexMetadata.FILE_NAME).toFile()).get("config")
        .get("approximateNeighborsCount").asInt());
  }

  @Test
  public void embedWritesIndexMetadataForCosineBesideTheVertexDirectory() throws Exception {
    Path out = embed(VertexExport.defaults());
    EmbeddingsManifest m = EmbeddingsManifest.readFrom(out.toString());
    assertEquals(VertexIndexMetadata.FILE_NAME, m.vertexIndexMetadata());
    JsonNode meta = JSON.readTree(out.resolve(m.vertexIndexMetadata()).toFile());
    assertEquals(List.of("contentsDeltaUri", "config"), keys(meta));
    assertEquals(out.resolve(EmbeddingsManifest.VERTEX_DIR).toString(), meta.get("contentsDeltaUri").asText());
    JsonNode config = meta.get("config");
    assertEquals(Set.of("dimensions", "approximateNeighborsCount", "shardSize", "distanceMeasureType",
        "featureNormType", "algorithmConfig"), new HashSet<>(keys(config)));
    assertTrue(config.get("dimensions").isInt());
    assertEquals(m.dim(), config.get("dimensions").asInt());
    assertEquals(SIZE * SIZE, config.get("dimensions").asInt());
    assertEquals(VertexExport.DEFAULT_APPROXIMATE_NEIGHBORS, config.get("approximateNeighborsCount").asInt());
    assertTrue(config.toString(), SHARD_SIZES.contains(config.get("shardSize").asText()));
    assertTrue(config.toString(), DISTANCES.contains(config.get("distanceMeasureType").asText()));
    assertTrue(config.toString(), NORMS.contains(config.get("featureNormType").asText()));
    // cosine, as our k-NN and index rank: Vertex normalises to unit length, then ranks by dot product
    assertEquals("DOT_PRODUCT_DISTANCE", config.get("distanceMeasureType").asText());
    assertEquals("UNIT_L2_NORM", config.get("featureNormType").asText());
    JsonNode algorithm = config.get("algorithmConfig");
    assertEquals(List.of("treeAhConfig"), keys(algorithm));
    JsonNode treeAh = algorithm.get("treeAhConfig");
    assertEquals(Set.of("leafNodeEmbeddingCount", "fractionLeafNodesToSearch"), new HashSet<>(keys(treeAh)));
    assertTrue(treeAh.get("leafNodeEmbeddingCount").canConvertToLong() && treeAh.get("leafNodeEmbeddingCount").asLong() > 0);
    double fraction = treeAh.get("fractionLeafNodesToSearch").asDouble();
    assertTrue(treeAh.toString(), fraction > 0 && fraction <= 1);

    // Vertex reads every .json directly under contentsDeltaUri as records: only the parts may be there.
    try (Stream<Path> files = Files.list(out.resolve(EmbeddingsManifest.VERTEX_DIR))) {
      List<String> names = files.map(p -> EmbeddingsManifest.VERTEX_DIR + "/" + p.getFileName()).sorted().toList();
      assertEquals(m.vertexFiles().stream().sorted().toList(), names);
    }
    for (String part : m.vertexFiles()) {
      assertTrue(part, part.matches("vertex/part-\\d{5}-of-\\d{5}\\.json"));
    }
  }
}
