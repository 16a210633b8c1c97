package dev.symmim.pipelines;

import dev.symmim.pipelines.cli.Symmim;
import dev.symmim.pipelines.index.SearchOptions;
import dev.symmim.pipelines.index.SearchCommand;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.symmim.transforms.evaluate.EvaluationMetrics;
import dev.symmim.transforms.evaluate.KnnResult;
import dev.symmim.transforms.evaluate.MetricsJson;
import dev.symmim.transforms.evaluate.SetEvaluation;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.symmim.schemas.Example;
import dev.symmim.testing.gcs.GcsServer;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.io.Locations;
import dev.symmim.transforms.training.Checkpoints;
import dev.symmim.transforms.embed.EmbeddingsManifest;
import dev.symmim.transforms.embed.EncoderKind;
import dev.symmim.transforms.index.Neighbor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptions;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Issue #7's acceptance on the test GCS server: {@code bin/symmim demo} with its input (the shipped
 * subset, uploaded first) and every output on gs:// — prepare, pretrain checkpoints, embeddings,
 * index, metrics and the report — then the report downloaded and rendered in headless Chromium; and
 * {@code symmim search --image} with the index and its checkpoint on gs://; and {@code symmim
 * pretrain} on gs:// with 10% of the server's calls failing (503 or a dropped connection),
 * byte-identical to a fault-free run.
 */
public class DemoOnGcsIT {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();
  static final String INPUT = "gs://symmim-demo-in/fashion-mnist-subset";
  static final String OUT = "gs://symmim-demo/run";

  private static GcsServer gcs;
  private static String log;
  private static double demoSeconds;

  @BeforeClass
  public static void runDemoOnGcs() throws Exception {
    gcs = GcsServer.start(0);
    FileSystems.setDefaultPipelineOptions(Symmim.parse(new String[] {"--gcsEndpoint=" + gcs.endpoint()},
        PipelineOptions.class));
    try (Stream<Path> s = Files.list(SymmimProcess.repo().resolve("data/fashion-mnist-subset"))) {
      for (Path f : s.filter(f -> !f.getFileName().toString().equals("README.md")).sorted().toList()) {
        Locations.upload(f, INPUT + "/" + f.getFileName());
      }
    }
    long t0 = System.nanoTime();
    // A tiny evaluation budget: every comparison set in its own job, the results gathered through gs://.
    log = SymmimProcess.run(Map.of("SYMMIM_JAVA_OPTS", "-Dsymmim.evaluateBudgetBytes=1"), "demo", "--gcsEndpoint=" + gcs.endpoint(), "--data=" + INPUT,
        "--output=" + OUT, "--pretrainEpochs=1", "--finetuneEpochs=2"); // the gain is DemoIT's; here every byte goes through gs://
    demoSeconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf("DemoOnGcsIT: demo on gs:// took %.1f s%n", demoSeconds);
  }

  @AfterClass
  public static void stopServer() {
    if (gcs != null) {
      gcs.close();
    }
  }

  static String text(String uri) throws Exception {
    return new String(Locations.read(uri), StandardCharsets.UTF_8);
  }

  @Test
  public void everyStageReadsAndWritesGcsAndTheReportRenders() throws Exception {
    assertTrue(log, log.contains("demo: report " + OUT + "/report.html\n"));
    assertTrue(log, log.contains("evaluate: 5 sets need about "));
    assertTrue(log, log.contains("evaluating them in 5 jobs"));
    assertFalse("the per-job results are removed", Locations.exists(OUT + "/.sets/0/online.json"));

    DatasetManifest prepared = DatasetManifest.readFrom(OUT + "/prepared");
    assertEquals(6000, prepared.inputs());
    EmbeddingsManifest embeddings = EmbeddingsManifest.readFrom(OUT + "/embeddings");
    assertEquals(6000, embeddings.inputs());
    assertEquals(Map.of("train", 5000L, "val", 1000L), embeddings.splits());
    assertEquals(0, embeddings.failed());

    // The checkpoint the embeddings name is the one the pretrain run committed last, read from gs://.
    assertEquals("step-00000078", text(OUT + "/pretrain/checkpoints/LATEST").strip());
    String checkpoint = OUT + "/pretrain/checkpoints/step-00000078";
    assertEquals(checkpoint, embeddings.checkpoint());
    assertTrue(Locations.exists(checkpoint + "/COMMITTED"));
    assertEquals(Checkpoints.modelId(Checkpoints.local(checkpoint), EncoderKind.online.name()), embeddings.modelId());
    assertEquals(78, text(OUT + "/pretrain/metrics.jsonl").strip().split("\n").length);
    assertTrue(text(OUT + "/pretrain/run.json").contains("\"totalSteps\" : 78"));
    assertTrue(Locations.exists(OUT + "/index/index.json"));

    EvaluationMetrics metrics = MetricsJson.read(Locations.read(OUT + "/metrics.json"), EvaluationMetrics.class);
    for (String s : List.of("online", "momentum", "random", "pixels", "centredPixels")) {
      SetEvaluation set = metrics.sets().get(s);
      assertEquals(s, 1000, set.knn().queries());
      assertEquals(s, 5000, set.knn().bank());
      KnnResult.AtK k20 = set.knn().at(20);
      assertTrue(s + " " + k20, k20.top1() > 0.1 && k20.top1() <= k20.top5());
      assertTrue(s, set.linearProbe().top1() > 0.1);
    }
    assertTrue(metrics.toString(), metrics.sets().get("pixels").knn().primary().top1() > 0.75);
    assertTrue(metrics.timing() != null);
    assertEquals(checkpoint, metrics.checkpoint());
    assertEquals(OUT + "/prepared", metrics.pretrainData());
    assertTrue(Locations.exists(OUT + "/finetune-pretrained/metrics.json"));
    assertTrue(Locations.exists(OUT + "/finetune-scratch/checkpoints/LATEST"));

    // Download the page and everything it links or shows, then render it.
    Path page = TMP.newFolder("report").toPath();
    String html = text(OUT + "/report.html");
    Files.writeString(page.resolve("report.html"), html);
    List<String> files = new ArrayList<>();
    Matcher m = Pattern.compile("(?:src|href)='([^':]+)'").matcher(html);
    while (m.find()) {
      files.add(m.group(1));
    }
    assertTrue(files.toString(), files.containsAll(List.of("loss.png", "masks.png", "reconstructions.png",
        "metrics.json", "dataset.html", "pretrain.html", "index/index.json")));
    for (String f : files) {
      Path local = page.resolve(f);
      Files.createDirectories(local.getParent());
      Files.write(local, Locations.read(OUT + "/" + f));
    }
    assertTrue(html, html.contains("From <code>" + OUT + "/pretrain/metrics.jsonl</code>"));
    DemoIT.assertReportRenders(page.resolve("report.html"), 7, TMP.newFolder("chromium").toPath());
  }

  @Test
  public void searchWithAnImageUsesTheIndexsCheckpointOnGcs() throws Exception {
    // A validation image of the prepared set as a PNG file; the index's embeddings name a gs:// checkpoint.
    DatasetManifest prepared = DatasetManifest.readFrom(OUT + "/prepared");
    Example first;
    try (DataFileStream<Example> in = new DataFileStream<>(new java.io.ByteArrayInputStream(Locations.read(OUT
        + "/prepared/" + prepared.splits().get("val").shards().get(0).path())), new SpecificDatumReader<>(Example.class))) {
      first = in.next();
    }
    assertEquals(dev.symmim.schemas.PixelEncoding.RAW, first.getEncoding());
    BufferedImage img = new BufferedImage(first.getWidth(), first.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
    byte[] px = new byte[first.getPixels().remaining()];
    first.getPixels().duplicate().get(px);
    img.getRaster().setDataElements(0, 0, first.getWidth(), first.getHeight(), px);
    Path query = TMP.newFolder("query").toPath().resolve("query.png");
    ImageIO.write(img, "png", query.toFile());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<Neighbor> hits = SearchCommand.run(Symmim.parse(new String[] {"--gcsEndpoint=" + gcs.endpoint(),
        "--index=" + OUT + "/index", "--image=" + query, "--k=3", "--device=cpu"}, SearchOptions.class),
        new PrintStream(out, true, StandardCharsets.UTF_8));
    assertEquals(first.getId(), hits.get(0).id());
    assertTrue("self-similarity " + hits.get(0).score(), hits.get(0).score() > 0.9999);
  }

  static byte[] pretrain(String output) throws Exception {
    assertEquals(0, Symmim.run(new String[] {"pretrain", "--gcsEndpoint=" + gcs.endpoint(),
        "--data=" + OUT + "/prepared", "--output=" + output, "--maxImages=256", "--batchSize=32", "--epochs=2",
        "--stages=2", "--checkpointEverySteps=3", "--dim=32", "--depth=1", "--heads=2", "--headHidden=64",
        "--headOut=32", "--lr=2e-3", "--deterministic=true", "--parallelism=1"}));
    String latest = text(output + "/checkpoints/LATEST").strip();
    assertEquals("step-00000016", latest);
    return Locations.read(output + "/checkpoints/" + latest + "/tensors.bin");
  }

  static List<String> losses(String run) throws Exception {
    List<String> out = new ArrayList<>();
    for (String line : text(run + "/metrics.jsonl").strip().split("\n")) {
      out.add(new ObjectMapper().readTree(line).path("loss").asText());
    }
    return out;
  }

  @Test
  public void pretrainWithTenPercentOfCallsFailingEndsByteIdenticalToAFaultFreeRun() throws Exception {
    byte[] clean = pretrain("gs://symmim-demo/pretrain-clean");
    gcs.injectFaults(0.1, 5);
    byte[] faulty;
    GcsServer.FaultCounts faults;
    try {
      faulty = pretrain("gs://symmim-demo/pretrain-faulty");
    } finally {
      faults = gcs.faultCounts();
      gcs.injectFaults(0, 0);
    }
    System.out.println("DemoOnGcsIT: pretrain with faults: " + faults);
    assertTrue(faults.toString(), faults.unavailable() > 0 && faults.resets() > 0);
    assertArrayEquals(clean, faulty);
    assertEquals(losses("gs://symmim-demo/pretrain-clean"), losses("gs://symmim-demo/pretrain-faulty"));
    assertEquals(16, losses("gs://symmim-demo/pretrain-faulty").size());
    // The schedule commits 0, 3, 6, 8 (stage end), 11, 14, 16; the newest 3 are kept.
    for (String step : List.of("step-00000011", "step-00000014", "step-00000016")) {
      assertTrue(step, Locations.exists("gs://symmim-demo/pretrain-faulty/checkpoints/" + step + "/COMMITTED"));
    }
  }
}
