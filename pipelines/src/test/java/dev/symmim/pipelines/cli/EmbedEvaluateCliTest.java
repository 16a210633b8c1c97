package dev.symmim.pipelines.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertThrows;

import dev.symmim.transforms.dataset.DatasetManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@code symmim embed} and {@code evaluate} refuse bad flags and inputs before any job, naming the cause. */
public class EmbedEvaluateCliTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private String badFlag(String... args) {
    return assertThrows(IllegalArgumentException.class, () -> Symmim.run(args)).getMessage();
  }

  private String data() throws Exception {
    String dir = tmp.newFolder().toString();
    new DatasetManifest(100, 0, 0,
        Map.of("train", new DatasetManifest.Split(100, Map.of(), List.of(
            new DatasetManifest.Shard("train/train-00000-of-00001.avro", 100, 1, "00")))),
        List.of("a", "b"), 28, 1, "raw", new double[] {0.3}, new double[] {0.3}, null).writeTo(dir);
    return dir;
  }

  @Test
  public void embedNamesMissingAndBadFlags() throws Exception {
    String out = "--output=" + tmp.getRoot().toPath().resolve("e");
    assertThat(badFlag("embed", out), containsString("--data is required"));
    assertThat(badFlag("embed", "--data=" + data(), out), containsString("--checkpoint is required"));
    assertThat(badFlag("embed", "--data=" + data(), out, "--encoder=clip"),
        containsString("--encoder=clip: must be one of online, momentum, random, pixels"));
    assertThat(badFlag("embed", "--data=" + data(), out, "--encoder=pixels", "--batchSize=-1"),
        containsString("--batchSize=-1: must be >= 1"));
    assertThat(badFlag("embed", "--data=" + data(), out, "--encoder=pixels", "--shards=5001"),
        containsString("--shards=5001: must be in [0, 5000]"));
    assertThat(badFlag("embed", "--data=" + data(), out, "--encoder=pixels", "--vertexNeighbors=0"),
        containsString("--vertexNeighbors=0: must be >= 1"));
    assertThat(badFlag("embed", "--data=" + data(), out, "--encoder=pixels", "--vertexCrowdingTag=class"),
        containsString("--vertexCrowdingTag=class: must be one of none, label"));
  }

  @Test
  public void embedNamesAMissingDatasetOrCheckpoint() throws Exception {
    String out = "--output=" + tmp.getRoot().toPath().resolve("e");
    assertThat(badFlag("embed", "--data=" + tmp.newFolder(), out, "--encoder=pixels"),
        containsString("no manifest.json (is this a prepared dataset directory?)"));
    Path emptyRun = tmp.newFolder("run").toPath();
    assertThat(badFlag("embed", "--data=" + data(), out, "--checkpoint=" + emptyRun),
        containsString("--checkpoint=" + emptyRun + ": " + emptyRun + " holds no checkpoint"));
    assertThat(badFlag("embed", "--data=" + data(), out, "--checkpoint=/no/such/run"),
        containsString("is not a directory"));
  }

  @Test
  public void evaluateNamesMissingAndBadInputs() throws Exception {
    String out = "--output=" + tmp.getRoot().toPath().resolve("ev");
    assertThat(badFlag("evaluate", out), containsString("--embeddings is required"));
    Path empty = tmp.newFolder("emb").toPath();
    assertThat(badFlag("evaluate", "--embeddings=" + empty, out), containsString("no embeddings manifest at"));
    Files.writeString(empty.resolve("manifest.json"), "{\"modelId\": ");
    assertThat(badFlag("evaluate", "--embeddings=" + empty, out), containsString("malformed embeddings manifest"));
    assertThat(badFlag("evaluate", "--embeddings=" + empty, out, "--k=1001"), containsString("--k=1001: must be in [1, 1000]"));
    assertThat(badFlag("evaluate", "--embeddings=" + empty, out, "--knnTemperature=-1"),
        containsString("--knnTemperature=-1.0: must be > 0"));
    assertThat(badFlag("evaluate", "--embeddings=" + empty, out, "--temperature=-1"), // the deprecated alias
        containsString("--knnTemperature=-1.0: must be > 0"));
    assertThat(badFlag("evaluate", "--embeddings=" + empty, out, "--k=abc"), containsString("--k=abc: not an integer"));
  }
}
