package dev.symmim.pipelines.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.symmim.pipelines.runner.BuildInfo;
import dev.symmim.transforms.embed.EmbeddingsManifest;
import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@code symmim embed --config=<manifest.json>} reruns a real run with the flags it recorded. */
public class ReplayCliTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void aReplayedEmbedRecordsTheSameFlagsAndWritesTheSameEmbeddings() throws Exception {
    Path root = tmp.getRoot().toPath();
    String data = root.resolve("data").toString();
    assertEquals(0, Symmim.run(new String[] {"prepare", "--runner=DirectRunner", "--input=" + SymmimCliTest.FIXTURES,
        "--output=" + data, "--imageSize=8", "--channels=3"}));
    String first = root.resolve("first").toString();
    assertEquals(0, Symmim.run(new String[] {"embed", "--runner=DirectRunner", "--data=" + data, "--output=" + first,
        "--encoder=centredPixels", "--batchSize=3"}));

    String replay = root.resolve("replay").toString();
    assertEquals(0, Symmim.run(new String[] {"embed", "--runner=DirectRunner",
        "--config=" + Path.of(first, "manifest.json"), "--output=" + replay}));

    EmbeddingsManifest a = EmbeddingsManifest.readFrom(first);
    EmbeddingsManifest b = EmbeddingsManifest.readFrom(replay);
    ObjectNode recorded = (ObjectNode) a.config().get("flags").deepCopy();
    ObjectNode replayed = (ObjectNode) b.config().get("flags").deepCopy();
    assertEquals("centredPixels", recorded.get("encoder").asText());
    assertEquals(3, recorded.get("batchSize").asInt());
    assertEquals(replay, replayed.get("output").asText()); // the one flag given on the command line
    recorded.remove("output");
    replayed.remove("output");
    assertEquals(recorded, replayed);
    assertEquals(a.modelId(), b.modelId());
    assertEquals(a.splits(), b.splits());
    assertEquals(a.shards().stream().map(s -> s.sha256()).toList(), b.shards().stream().map(s -> s.sha256()).toList());
    assertEquals(BuildInfo.version(), b.config().get("codeVersion").asText());
  }

  @Test
  public void aRecordOfAnotherCommandIsRefusedNamingBoth() throws Exception {
    Path root = tmp.getRoot().toPath();
    String data = root.resolve("data").toString();
    assertEquals(0, Symmim.run(new String[] {"prepare", "--runner=DirectRunner", "--input=" + SymmimCliTest.FIXTURES,
        "--output=" + data, "--imageSize=8"}));
    String emb = root.resolve("emb").toString();
    assertEquals(0, Symmim.run(new String[] {"embed", "--runner=DirectRunner", "--data=" + data, "--output=" + emb,
        "--encoder=pixels"}));
    String manifest = Path.of(emb, "manifest.json").toString();
    assertThat(assertThrows(IllegalArgumentException.class, () -> Symmim.run(new String[] {"evaluate",
        "--config=" + manifest})).getMessage(), containsString("--config=" + manifest + ": was recorded by 'symmim "
        + "embed', not 'symmim evaluate'"));
    assertThat(assertThrows(IllegalArgumentException.class, () -> Symmim.run(new String[] {"pretrain",
        "--config=" + Path.of(data, "manifest.json")})).getMessage(), containsString("records no flags"));
  }
}
