package dev.symmim.pipelines;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * prepare on a standalone Flink 1.19 cluster started by infra/flink/cluster.sh (JobManager and
 * TaskManager JVMs, the job's jars staged over REST) gives the same manifest counts and the same
 * shard bytes as on the embedded Flink runner.
 */
public class FlinkClusterIT {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private static final int REST_PORT = 18081;

  private int cluster(Path dir, String action) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bash",
        PrepareFashionMnistIT.repo().resolve("infra/flink/cluster.sh").toString(), action);
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

  @Test
  public void prepareOnAStandaloneClusterMatchesEmbeddedFlink() throws Exception {
    Path root = tmp.getRoot().toPath();
    Path clusterDir = root.resolve("cluster");
    String input = DataflowTranslationIT.smallFashionMnist(root.resolve("fmnist"), 240, 80).toString();
    String onCluster = root.resolve("on-cluster").toString();
    String embedded = root.resolve("embedded").toString();
    assertEquals("cluster.sh start", 0, cluster(clusterDir, "start"));
    try {
      assertEquals(0, Symmim.run(new String[] {"prepare", "--input=" + input, "--output=" + onCluster,
          "--imageSize=16", "--numShards=2", "--runner=FlinkRunner", "--flinkMaster=localhost:" + REST_PORT}));
    } finally {
      cluster(clusterDir, "stop");
    }
    assertEquals(0, Symmim.run(new String[] {"prepare", "--input=" + input, "--output=" + embedded,
        "--imageSize=16", "--numShards=2"}));
    JsonNode a = new ObjectMapper().readTree(Path.of(onCluster, "manifest.json").toFile());
    JsonNode b = new ObjectMapper().readTree(Path.of(embedded, "manifest.json").toFile());
    assertEquals(320, a.path("inputs").asLong());
    for (String field : List.of("inputs", "failed", "duplicates")) {
      assertEquals(field, b.path(field).asLong(), a.path(field).asLong());
    }
    for (String split : List.of("train", "val")) {
      assertEquals(split, b.path("splits").path(split).path("records").asLong(),
          a.path("splits").path(split).path("records").asLong());
      assertEquals(split + " shards", shards(b, split), shards(a, split));
    }
    assertEquals(240, a.path("splits").path("train").path("records").asLong());
  }

  private static List<String> shards(JsonNode manifest, String split) {
    List<String> out = new ArrayList<>();
    for (JsonNode s : manifest.path("splits").path(split).path("shards")) {
      out.add(s.path("path").asText() + " " + s.path("records").asLong() + " " + s.path("sha256").asText());
    }
    return out;
  }
}
