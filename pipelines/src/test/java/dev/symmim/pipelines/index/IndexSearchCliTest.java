package dev.symmim.pipelines.index;

import dev.symmim.pipelines.cli.Symmim;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.symmim.schemas.Embedding;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.index.IndexManifest;
import dev.symmim.transforms.index.Neighbor;
import dev.symmim.transforms.index.SyntheticEmbeddings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code symmim index} and {@code search} through the CLI on the DirectRunner over a small real
 * embeddings directory: flags and inputs refused with the cause named, an index built and queried
 * by id in text and JSON.
 */
public class IndexSearchCliTest {
  private static final int N = 600;
  private static final int DIM = 24;
  private static final String MODEL = "sha256:1111222233334444/online";

  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();
  private static SyntheticEmbeddings.Clustered data;
  private static String embeddings;
  private static String index;

  @BeforeClass
  public static void buildIndex() throws Exception {
    data = SyntheticEmbeddings.clustered(N, DIM, 6, 0.5, 3);
    List<Embedding> records = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      records.add(SyntheticEmbeddings.record(SyntheticEmbeddings.id(i), data.cluster()[i], data.vectors()[i], MODEL));
    }
    embeddings = TMP.newFolder("embeddings").toString();
    SyntheticEmbeddings.writeDirectory(embeddings, records, DIM, MODEL, 6, 2);
    index = TMP.getRoot().toPath().resolve("index").toString();
    assertEquals(0, Symmim.run(new String[] {"index", "--runner=DirectRunner", "--embeddings=" + embeddings,
        "--output=" + index, "--shards=2", "--m=8", "--efConstruction=50"}));
  }

  private static String badFlag(String... args) {
    return assertThrows(IllegalArgumentException.class, () -> Symmim.run(args)).getMessage();
  }

  private static String search(String... flags) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    List<String> args = new ArrayList<>(List.of(flags));
    SearchCommand.run(Symmim.parse(args.toArray(new String[0]), SearchOptions.class),
        new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  public void indexWritesAReconcilingManifestWithTheGraphFlags() throws Exception {
    IndexManifest m = IndexManifest.readFrom(index);
    assertEquals(N, m.records());
    assertEquals(2, m.shards().size());
    assertEquals(8, m.m());
    assertEquals(50, m.efConstruction());
    assertEquals(MODEL, m.modelId());
    assertEquals(embeddings, m.embeddings());
    assertEquals(64, m.embeddingsManifestSha256().length());
  }

  @Test
  public void indexNamesBadFlagsAndInputs() throws Exception {
    String out = "--output=" + TMP.getRoot().toPath().resolve("other-index");
    assertThat(badFlag("index", out), containsString("--embeddings is required"));
    assertThat(badFlag("index", "--embeddings=" + embeddings), containsString("--output is required"));
    assertThat(badFlag("index", "--embeddings=" + embeddings, out, "--shards=-1"), containsString("--shards=-1: must be in"));
    assertThat(badFlag("index", "--embeddings=" + embeddings, out, "--m=1"), containsString("--m=1: must be in [2, 512]"));
    assertThat(badFlag("index", "--embeddings=" + embeddings, out, "--efConstruction=0"),
        containsString("--efConstruction=0: must be in"));
    assertThat(badFlag("index", "--embeddings=" + TMP.newFolder(), out), containsString("no manifest.json"));
    assertThat(badFlag("index", "--embeddings=" + embeddings, "--output=" + embeddings),
        containsString("must not be the embeddings directory"));
  }

  @Test
  public void indexNamesAMissingPartFile() throws Exception {
    Path copy = TMP.newFolder("partial-embeddings").toPath();
    Files.createDirectories(copy.resolve("embeddings"));
    Files.copy(Path.of(embeddings, "manifest.json"), copy.resolve("manifest.json"));
    Files.copy(Path.of(embeddings, "embeddings/part-00000-of-00002.avro"), copy.resolve("embeddings/part-00000-of-00002.avro"));
    assertThat(badFlag("index", "--embeddings=" + copy, "--output=" + TMP.getRoot().toPath().resolve("x")),
        containsString("is missing its part file " + copy.resolve("embeddings/part-00001-of-00002.avro")));
  }

  @Test
  public void searchByIdPrintsIdLabelAndScorePerLine() throws Exception {
    String out = search("--index=" + index, "--id=" + SyntheticEmbeddings.id(17), "--k=4");
    String[] lines = out.strip().split("\n");
    assertEquals(4, lines.length);
    for (String line : lines) {
      String[] f = line.split("\t");
      assertEquals(3, f.length);
      assertTrue(f[0].startsWith("e"));
      assertEquals("class-" + data.cluster()[17], f[1]); // tight clusters: the neighbours share the class
      assertTrue(Double.parseDouble(f[2]) > 0.5);
    }
  }

  @Test
  public void searchByIdAsJson() throws Exception {
    JsonNode root = DatasetManifest.json().readTree(search("--index=" + index, "--id=" + SyntheticEmbeddings.id(3),
        "--k=5", "--json=true", "--width=50"));
    assertEquals(SyntheticEmbeddings.id(3), root.get("id").asText());
    assertEquals(5, root.get("neighbors").size());
    JsonNode first = root.get("neighbors").get(0);
    assertEquals("train", first.get("split").asText());
    assertEquals(data.cluster()[3], first.get("label").asInt());
    assertTrue(first.get("score").asDouble() >= root.get("neighbors").get(4).get("score").asDouble());
  }

  @Test
  public void searchNamesBadFlagsAndInputs() throws Exception {
    assertThat(badFlag("search", "--id=e0000001"), containsString("--index is required"));
    assertThat(badFlag("search", "--index=" + index), containsString("exactly one query"));
    assertThat(badFlag("search", "--index=" + index, "--id=e0000001", "--image=x.png"),
        containsString("exactly one query"));
    assertThat(badFlag("search", "--index=" + index, "--id=e0000001", "--k=20", "--width=10"),
        containsString("--width=10: must be >= --k=20"));
    assertThat(badFlag("search", "--index=" + index, "--id=nope"), containsString("no embedding with id 'nope'"));
    assertThat(badFlag("search", "--index=" + embeddings, "--id=e0000001"), containsString("no index manifest"));
    // synthetic embeddings name no checkpoint encoder: --image cannot embed like them
    assertThat(badFlag("search", "--index=" + index, "--image=x.png"),
        containsString("works with indexes of a checkpoint's online or momentum encoder"));
  }

  @Test
  public void searchNamesAMissingShard() throws Exception {
    Path copy = TMP.newFolder("index-copy").toPath();
    try (var files = Files.walk(Path.of(index))) {
      for (Path p : files.toList()) {
        Path t = copy.resolve(Path.of(index).relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
    try (var files = Files.list(copy.resolve("shard-00001"))) {
      for (Path p : files.toList()) {
        Files.delete(p);
      }
    }
    Files.delete(copy.resolve("shard-00001"));
    assertThat(badFlag("search", "--index=" + copy, "--id=e0000001"), containsString("shard 1 is missing shard-00001/"));
  }

  @Test
  public void neighboursOfAnIdAreItsNearestOthers() throws Exception {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    List<Neighbor> hits = SearchCommand.run(Symmim.parse(new String[] {"--index=" + index, "--id=" + SyntheticEmbeddings.id(0),
        "--k=10"}, SearchOptions.class), new PrintStream(sink, true, StandardCharsets.UTF_8));
    assertEquals(10, hits.size());
    assertTrue(hits.stream().noneMatch(h -> h.id().equals(SyntheticEmbeddings.id(0))));
  }
}
