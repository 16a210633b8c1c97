package dev.symmim.pipelines;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.symmim.transforms.embed.EmbeddingsManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The README's main job: {@code bin/symmim demo} end to end on the shipped dataset (embedded Flink),
 * then its report loaded in headless Chromium.
 */
public class DemoIT {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  @Test
  public void demoRunsEveryStageAndTheReportRenders() throws Exception {
    Path out = TMP.newFolder("demo").toPath();
    String log = SymmimProcess.run(Map.of(), "demo", "--output=" + out);
    String[] lines = log.strip().split("\n");
    assertEquals(log, "demo: report " + out.resolve("report.html"), lines[lines.length - 1].strip());

    EmbeddingsManifest embeddings = EmbeddingsManifest.readFrom(out.resolve("embeddings").toString());
    assertEquals(6000, embeddings.inputs());
    assertEquals(Map.of("train", 5000L, "val", 1000L), embeddings.splits());
    assertEquals(0, embeddings.failed());
    assertEquals(embeddings.shards().size(), embeddings.vertexFiles().size());
    long vertexLines = 0;
    for (String f : embeddings.vertexFiles()) {
      vertexLines += Files.readAllLines(out.resolve("embeddings").resolve(f)).stream().filter(l -> !l.isBlank()).count();
    }
    assertEquals(6000, vertexLines);

    JsonNode metrics = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
    List<String> sets = List.of("online", "momentum", "random", "pixels");
    for (String s : sets) {
      JsonNode set = metrics.path("sets").path(s);
      assertEquals(s, 1000, set.path("knn").path("queries").asLong());
      assertEquals(s, 5000, set.path("knn").path("bank").asLong());
      for (String k : List.of("k20", "k200")) {
        double top1 = set.path("knn").path(k).path("top1").asDouble(-1);
        double top5 = set.path("knn").path(k).path("top5").asDouble(-1);
        assertTrue(s + " " + k + " top1 " + top1, top1 > 0.1 && top1 <= top5 && top5 <= 1);
      }
      assertTrue(s, set.path("linearProbe").path("top1").asDouble(-1) > 0.1);
      assertTrue(s, set.path("featureHealth").path("effectiveRank").asDouble(-1) >= 1);
    }
    // raw-pixel k-NN on this Fashion-MNIST subset is about 80%: a broken k-NN or label join would show here
    assertTrue(metrics.toString(), metrics.path("sets").path("pixels").path("knn").path("k20").path("top1").asDouble() > 0.75);

    assertReportRenders(out.resolve("report.html"), 7); // loss, masks, 4 projections, + the linked pages' none
  }

  /** Loads the page in headless Chromium; the page's script reports how many images decoded. */
  static void assertReportRenders(Path page, int minImages) throws Exception {
    assertReportRenders(page, minImages, TMP.newFolder("chromium-profile").toPath());
  }

  static void assertReportRenders(Path page, int minImages, Path profile) throws Exception {
    Path chromium = Path.of("/usr/bin/chromium");
    assertTrue("Chromium is missing: infra/dev/install-test-deps.sh installs it", Files.isExecutable(chromium));
    Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + profile, "--dump-dom", page.toUri().toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String dom = new String(p.getInputStream().readAllBytes());
    assertTrue("chromium did not finish", p.waitFor(120, TimeUnit.SECONDS));
    Matcher m = Pattern.compile("data-images=\"(\\d+)/(\\d+)\"").matcher(dom);
    assertTrue("the page's load script did not run:\n" + dom.substring(0, Math.min(500, dom.length())), m.find());
    int loaded = Integer.parseInt(m.group(1));
    int total = Integer.parseInt(m.group(2));
    assertEquals("images that failed to load", total, loaded);
    assertTrue("only " + total + " images", total >= minImages);
    assertTrue(dom.contains("raw pixels") && dom.contains("SymMIM online encoder"));
  }
}
