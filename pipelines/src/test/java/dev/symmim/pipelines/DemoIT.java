package dev.symmim.pipelines;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.symmim.transforms.evaluate.EvaluationMetrics;
import dev.symmim.transforms.evaluate.KnnResult;
import dev.symmim.transforms.evaluate.MetricsJson;
import dev.symmim.transforms.evaluate.SetEvaluation;
import dev.symmim.transforms.finetune.FinetuneResult;
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
    assertTrue(log, log.contains("demo: report " + out.resolve("report.html")));
    assertTrue(log, log.matches("(?s).*demo: Pretraining \\(.* min\\) added .* points of k-NN over a random encoder.*"
        + "Fine-tuned on 500 labels \\(10%\\): .*% from the checkpoint vs .*% from scratch.*"));

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

    EvaluationMetrics metrics = MetricsJson.read(Files.readAllBytes(out.resolve("metrics.json")), EvaluationMetrics.class);
    for (String s : List.of("online", "momentum", "random", "pixels", "centredPixels")) {
      SetEvaluation set = metrics.sets().get(s);
      assertEquals(s, 1000, set.knn().queries());
      assertEquals(s, 5000, set.knn().bank());
      for (int k : new int[] {20, 200}) {
        KnnResult.AtK at = set.knn().at(k);
        assertTrue(s + " k=" + k + " " + at, at.top1() > 0.1 && at.top1() <= at.top5() && at.top5() <= 1);
      }
      assertTrue(s, set.linearProbe().top1() > 0.1);
      assertTrue(s, set.featureHealth().effectiveRank() >= 1);
    }
    // raw-pixel k-NN on this Fashion-MNIST subset is about 80%: a broken k-NN or label join would show here
    assertTrue(metrics.toString(), metrics.sets().get("pixels").knn().primary().top1() > 0.75);
    // what the demo is for: the pretrained encoder's k-NN beats a random one of the same architecture by 5+ points
    double gain = metrics.sets().get("online").knn().primary().top1() - metrics.sets().get("random").knn().primary().top1();
    assertTrue("online - random k-NN = " + gain, gain >= 0.05);
    for (String run : List.of("finetune-pretrained", "finetune-scratch")) {
      FinetuneResult r = MetricsJson.read(Files.readAllBytes(out.resolve(run).resolve("metrics.json")), FinetuneResult.class);
      assertEquals(run, 500, r.labelled());
      assertTrue(run + " " + r.top1(), r.top1() > 0.3); // chance is 0.1
    }

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
