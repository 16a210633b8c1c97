package dev.symmim.pipelines.index;

import dev.symmim.pipelines.cli.Symmim;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.symmim.schemas.Embedding;
import dev.symmim.testing.gcs.GcsServer;
import dev.symmim.transforms.index.IndexManifest;
import dev.symmim.transforms.index.Neighbor;
import dev.symmim.transforms.index.SyntheticEmbeddings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptions;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code symmim index} reading embeddings from and writing the index to gs:// (the test GCS server,
 * through {@code --gcsEndpoint}) on the embedded Flink runner, and {@code symmim search} on that
 * index (its shards copied to a local temporary directory): the same shards, counts and neighbours
 * as the same build on local disk.
 */
public class IndexOnGcsIT {
  private static final int N = 3000;
  private static final int DIM = 48;
  private static final String MODEL = "sha256:aaaabbbbccccdddd/online";
  private static final String GCS_EMBEDDINGS = "gs://symmim-index-test/embeddings";
  private static final String GCS_INDEX = "gs://symmim-index-test/index";

  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();
  private static GcsServer gcs;
  private static String localIndex;

  @BeforeClass
  public static void buildBoth() throws Exception {
    gcs = GcsServer.start(0);
    FileSystems.setDefaultPipelineOptions(Symmim.parse(flags(), PipelineOptions.class));
    SyntheticEmbeddings.Clustered data = SyntheticEmbeddings.clustered(N, DIM, 30, 0.6, 11);
    List<Embedding> records = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      records.add(SyntheticEmbeddings.record(SyntheticEmbeddings.id(i), data.cluster()[i], data.vectors()[i], MODEL));
    }
    String localEmbeddings = TMP.newFolder("embeddings").toString();
    SyntheticEmbeddings.writeDirectory(localEmbeddings, records, DIM, MODEL, 30, 3);
    SyntheticEmbeddings.writeDirectory(GCS_EMBEDDINGS, records, DIM, MODEL, 30, 3);
    localIndex = TMP.getRoot().toPath().resolve("index").toString();
    assertEquals(0, Symmim.run(command("index", "--embeddings=" + localEmbeddings, "--output=" + localIndex,
        "--shards=3")));
    assertEquals(0, Symmim.run(command("index", "--embeddings=" + GCS_EMBEDDINGS, "--output=" + GCS_INDEX,
        "--shards=3")));
  }

  @AfterClass
  public static void stopServer() {
    if (gcs != null) {
      gcs.close();
    }
  }

  static String[] flags(String... more) {
    return Stream.concat(Stream.of("--gcsEndpoint=" + gcs.endpoint()), Stream.of(more)).toArray(String[]::new);
  }

  static String[] command(String name, String... more) {
    return Stream.concat(Stream.of(name), Stream.of(flags(more))).toArray(String[]::new);
  }

  static List<Neighbor> search(String index, String id) throws Exception {
    return SearchCommand.run(Symmim.parse(flags("--index=" + index, "--id=" + id, "--k=10"), SearchOptions.class),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
  }

  @Test
  public void theIndexOnGcsHasTheLocalShardsAndAnswersAlike() throws Exception {
    IndexManifest local = IndexManifest.readFrom(localIndex);
    IndexManifest remote = IndexManifest.readFrom(GCS_INDEX);
    assertTrue(remote.reconciles());
    assertEquals(N, remote.records());
    assertEquals(local.shards().size(), remote.shards().size());
    for (int s = 0; s < local.shards().size(); s++) {
      assertEquals(local.shards().get(s).records(), remote.shards().get(s).records());
      assertEquals(local.shards().get(s).files(), remote.shards().get(s).files());
    }
    for (int i = 0; i < N; i += 250) {
      String id = SyntheticEmbeddings.id(i);
      assertEquals(search(localIndex, id), search(GCS_INDEX, id));
    }
  }
}
