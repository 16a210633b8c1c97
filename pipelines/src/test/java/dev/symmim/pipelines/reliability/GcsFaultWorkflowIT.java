package dev.symmim.pipelines.reliability;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.symmim.pipelines.SymmimProcess;
import dev.symmim.pipelines.cli.Symmim;
import dev.symmim.pipelines.index.SearchCommand;
import dev.symmim.pipelines.index.SearchOptions;
import dev.symmim.schemas.Embedding;
import dev.symmim.testing.gcs.GcsServer;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.embed.EmbeddingsManifest;
import dev.symmim.transforms.index.IndexManifest;
import dev.symmim.transforms.index.Neighbor;
import dev.symmim.transforms.io.Locations;
import dev.symmim.transforms.io.Sha256;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Issue #18, item 5: a whole workflow on gs:// — prepare, pretrain, embed, evaluate, index — on a
 * cut of the shipped Fashion-MNIST subset (1000 train and 200 test images), run once against a
 * fault-free GCS test server and once with 10% of its calls failing (a third answered 503, a third
 * with the connection dropped, a third answered 200-500 ms late) and one resumable upload (a
 * checkpoint's tensors.bin) cut in its middle. The second run must leave exactly the objects of the
 * first, with the same bytes where the first run's own output is deterministic (the dataset, the
 * checkpoints, the embeddings, the index manifest, the report) and the same content otherwise
 * (timings and GCS generations removed; Lucene files, which carry random segment ids, by size and by
 * the neighbours a search finds); and every command must print the same summary lines. Both runs'
 * objects are kept in target/gcs-fault-workflow/ for diffing.
 */
public class GcsFaultWorkflowIT {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();
  static final String INPUT = "gs://symmim-faults-in/fashion-mnist-cut";
  static final String RUN = "gs://symmim-faults/run";
  static final int TRAIN = 1000;
  static final int TEST = 200;
  /** Past the prepared shards (350 KB each), inside a checkpoint's tensors.bin (412 KB): the first upload that long. */
  static final long CUT_AFTER_BYTES = 400_000;

  private static GcsServer gcs;

  /** What a workflow left: what it printed, its objects, the index's answers to fixed queries, its wall time. */
  record Run(String printed, String logged, Map<String, byte[]> objects, Map<String, List<Neighbor>> searches,
      double seconds) {}

  @BeforeClass
  public static void uploadInput() throws Exception {
    gcs = GcsServer.start(0);
    FileSystems.setDefaultPipelineOptions(Symmim.parse(new String[] {"--gcsEndpoint=" + gcs.endpoint()},
        PipelineOptions.class));
    Path subset = SymmimProcess.repo().resolve("data/fashion-mnist-subset");
    Path cut = TMP.newFolder("cut").toPath();
    Files.copy(subset.resolve("classes.txt"), cut.resolve("classes.txt"));
    cutIdx(subset.resolve("train-images-idx3-ubyte.gz"), cut.resolve("train-images-idx3-ubyte.gz"), 16, TRAIN, 784);
    cutIdx(subset.resolve("train-labels-idx1-ubyte.gz"), cut.resolve("train-labels-idx1-ubyte.gz"), 8, TRAIN, 1);
    cutIdx(subset.resolve("t10k-images-idx3-ubyte.gz"), cut.resolve("t10k-images-idx3-ubyte.gz"), 16, TEST, 784);
    cutIdx(subset.resolve("t10k-labels-idx1-ubyte.gz"), cut.resolve("t10k-labels-idx1-ubyte.gz"), 8, TEST, 1);
    try (var s = Files.list(cut)) {
      for (Path f : s.sorted().toList()) {
        Locations.upload(f, INPUT + "/" + f.getFileName());
      }
    }
  }

  @AfterClass
  public static void stopServer() {
    if (gcs != null) {
      gcs.close();
    }
  }

  @Test
  public void faultsDuringAWholeWorkflowLoseAndDuplicateNothing() throws Exception {
    Run clean = workflow();
    keep(clean, "fault-free");
    Locations.deleteTree(RUN);
    assertTrue(objects().isEmpty());

    gcs.injectFaults(0.1, 18).failResumableUploadOnce(CUT_AFTER_BYTES);
    ByteArrayOutputStream calls = new ByteArrayOutputStream();
    gcs.logCalls(new PrintStream(calls, true, StandardCharsets.UTF_8));
    GcsServer.FaultCounts faults;
    Run faulty;
    try {
      faulty = workflow();
    } finally {
      faults = gcs.faultCounts();
      gcs.injectFaults(0, 0);
      gcs.logCalls(null);
    }
    keep(faulty, "faulty");
    List<String> cuts = Arrays.stream(calls.toString(StandardCharsets.UTF_8).split("\n"))
        .filter(l -> l.contains("mid-upload")).toList();
    System.out.printf("GcsFaultWorkflowIT: fault-free %.1f s, with faults %.1f s; %s; %s%n", clean.seconds(),
        faulty.seconds(), faults, cuts);

    // Every kind of fault happened, and the cut hit the checkpoint store's upload (the google-cloud-storage client).
    assertTrue(faults.toString(), faults.unavailable() > 0 && faults.resets() > 0 && faults.slow() > 0);
    assertEquals(faults.toString(), 1, faults.midUploadFailures());
    assertEquals(1, cuts.size());
    assertTrue(cuts.get(0), cuts.get(0).contains(RUN + "/pretrain/checkpoints/step-"));

    // Nothing lost, nothing duplicated: the same objects, with the same content.
    assertEquals(comparable(clean.objects()).keySet(), comparable(faulty.objects()).keySet());
    Map<String, Object> expected = comparable(clean.objects());
    Map<String, Object> actual = comparable(faulty.objects());
    for (String name : expected.keySet()) {
      assertEquals(name, expected.get(name), actual.get(name));
    }
    assertEquals(clean.searches(), faulty.searches());
    assertEquals(summary(clean.printed()), summary(faulty.printed()));

    // What those objects hold, spelled out for the main artifacts (the comparison above covers every byte).
    DatasetManifest prepared = DatasetManifest.readFrom(RUN + "/prepared");
    assertEquals(TRAIN + TEST, prepared.inputs());
    assertEquals(TRAIN, prepared.splits().get("train").records());
    assertEquals(TEST, prepared.splits().get("val").records());
    assertEquals("step-00000016", new String(faulty.objects().get("pretrain/checkpoints/LATEST"),
        StandardCharsets.UTF_8).strip());
    assertEquals(Map.of("train", (long) TRAIN, "val", (long) TEST), EmbeddingsManifest.readFrom(RUN + "/embeddings")
        .splits());
    assertEquals(TRAIN + TEST, new HashSet<>(embeddingIds(faulty.objects())).size());
    assertEquals(TRAIN + TEST, IndexManifest.readFrom(RUN + "/index").records());
    assertEquals(12, faulty.searches().size());
    faulty.searches().forEach((id, hits) -> assertEquals(id, 10, hits.size())); // --id leaves the query out

    List<String> newLogLines = new ArrayList<>(warnings(faulty.logged()));
    newLogLines.removeAll(warnings(clean.logged()));
    System.out.println("GcsFaultWorkflowIT: warnings only with faults: " + newLogLines);
    List<String> printed = Arrays.stream(faulty.printed().split("\n"))
        .filter(l -> l.startsWith("prepare: " + (TRAIN + TEST) + " inputs") || l.startsWith("evaluate: online"))
        .map(l -> "`" + l.replaceAll(" +", " ") + "`").toList();
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("calls", faults.calls());
    figures.put("503", faults.unavailable());
    figures.put("resets", faults.resets());
    figures.put("slow", faults.slow());
    figures.put("midUploadFailures", faults.midUploadFailures());
    figures.put("faultFreeSeconds", Math.round(clean.seconds() * 10) / 10.0);
    figures.put("faultySeconds", Math.round(faulty.seconds() * 10) / 10.0);
    new FaultRow("gcs-faults-workflow", "GCS errors during a whole workflow",
        "test GCS server: 10% of calls fail (a third 503, a third dropped connections, a third 200-500 ms late), "
            + "and one resumable upload (a checkpoint's tensors.bin) loses its connection after " + CUT_AFTER_BYTES
            + " bytes; prepare, pretrain, embed, evaluate and index of " + (TRAIN + TEST) + " images on gs://",
        "every command prints the same summary lines as without faults, e.g. " + String.join(" and ", printed)
            + ", only slower; " + (newLogLines.isEmpty() ? "no warning" : "the log adds " + newLogLines.stream()
                .map(l -> "`" + l.replace(RUN, "<run>") + "`" + (l.contains("MetricsEnvironment - Unable to update")
                    ? " (in this in-process test only: Beam counting its GCS client's retry on an upload thread; "
                        + "harmless, and off in bin/symmim)" : ""))
                .collect(Collectors.joining(", "))),
        "nothing: the same objects under the run directory; byte-identical prepared shards and manifest, "
            + "checkpoints, embeddings, index manifest and report; the same metrics (timings aside) and the same "
            + "search results from the index",
        "GcsFaultWorkflowIT", figures).record();
  }

  /** The first {@code n} items of a gzipped IDX file (header of {@code header} bytes, count at byte 4). */
  static void cutIdx(Path from, Path to, int header, int n, int itemBytes) throws IOException {
    byte[] all;
    try (var in = new GZIPInputStream(Files.newInputStream(from))) {
      all = in.readAllBytes();
    }
    byte[] out = Arrays.copyOf(all, header + n * itemBytes);
    ByteBuffer.wrap(out).putInt(4, n);
    try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(to))) {
      o.write(out);
    }
  }

  static String[] command(String name, String... flags) {
    List<String> args = new ArrayList<>(List.of(name, "--gcsEndpoint=" + gcs.endpoint()));
    args.addAll(List.of(flags));
    return args.toArray(new String[0]);
  }

  /** Runs the workflow under {@link #RUN}, then searches its index for fixed ids. */
  static Run workflow() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    ByteArrayOutputStream logged = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    PrintStream stderr = System.err;
    System.setOut(new PrintStream(new Tee(stdout, printed), true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(new Tee(stderr, logged), true, StandardCharsets.UTF_8));
    long t0 = System.nanoTime();
    try {
      run(command("prepare", "--input=" + INPUT, "--output=" + RUN + "/prepared", "--numShards=2",
          "--parallelism=2"));
      run(command("pretrain", "--data=" + RUN + "/prepared", "--output=" + RUN + "/pretrain", "--maxImages=256",
          "--batchSize=32", "--epochs=2", "--stages=2", "--checkpointEverySteps=3", "--dim=32", "--depth=1",
          "--heads=2", "--headHidden=64", "--headOut=32", "--lr=2e-3", "--deterministic=true", "--parallelism=1"));
      run(command("embed", "--data=" + RUN + "/prepared", "--checkpoint=" + RUN + "/pretrain",
          "--output=" + RUN + "/embeddings", "--device=cpu"));
      run(command("evaluate", "--embeddings=" + RUN + "/embeddings", "--output=" + RUN + "/evaluate",
          "--baselines=false", "--probeEpochs=5", "--device=cpu"));
      run(command("index", "--embeddings=" + RUN + "/embeddings", "--output=" + RUN + "/index", "--shards=2"));
    } finally {
      System.setOut(stdout);
      System.setErr(stderr);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    Map<String, byte[]> objects = objects();
    Map<String, List<Neighbor>> searches = new TreeMap<>();
    List<String> ids = embeddingIds(objects);
    for (int i = 0; i < ids.size(); i += 100) {
      searches.put(ids.get(i), SearchCommand.run(Symmim.parse(new String[] {"--gcsEndpoint=" + gcs.endpoint(),
          "--index=" + RUN + "/index", "--id=" + ids.get(i), "--k=10"}, SearchOptions.class),
          new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
    }
    return new Run(printed.toString(StandardCharsets.UTF_8), logged.toString(StandardCharsets.UTF_8), objects,
        searches, seconds);
  }

  static void run(String[] args) throws Exception {
    assertEquals(String.join(" ", args), 0, Symmim.run(args));
  }

  /** Every object under {@link #RUN}, by name relative to it. */
  static Map<String, byte[]> objects() throws Exception {
    Map<String, byte[]> out = new TreeMap<>();
    MatchResult m = FileSystems.match(RUN + "/**", EmptyMatchTreatment.ALLOW);
    for (MatchResult.Metadata md : m.metadata()) {
      String uri = md.resourceId().toString();
      out.put(uri.substring(RUN.length() + 1), Locations.read(uri));
    }
    return out;
  }

  /** The ids of the embeddings, in the order of the part files. */
  static List<String> embeddingIds(Map<String, byte[]> objects) throws IOException {
    List<String> ids = new ArrayList<>();
    for (Map.Entry<String, byte[]> e : objects.entrySet()) {
      if (e.getKey().startsWith("embeddings/embeddings/") && e.getKey().endsWith(".avro")) {
        try (DataFileStream<Embedding> in = new DataFileStream<>(new ByteArrayInputStream(e.getValue()),
            new SpecificDatumReader<>(Embedding.class))) {
          in.forEach(r -> ids.add(r.getId().toString()));
        }
      }
    }
    return ids;
  }

  /**
   * Each object as it should compare between runs: its sha256, or where a run's own output varies
   * (times, GCS generations, Lucene's random segment ids) the content without it; the TensorBoard
   * files' names lose their creation time.
   */
  static Map<String, Object> comparable(Map<String, byte[]> objects) throws IOException {
    ObjectMapper json = new ObjectMapper();
    Map<String, Object> out = new TreeMap<>();
    for (Map.Entry<String, byte[]> e : objects.entrySet()) {
      String name = e.getKey();
      byte[] bytes = e.getValue();
      if (name.startsWith("pretrain/events.out.tfevents.")) {
        out.put(name.replaceFirst("tfevents\\.\\d+\\.", "tfevents.TIME."), bytes.length + " bytes");
      } else if (name.startsWith("index/shard-")) {
        out.put(name, bytes.length + " bytes");
      } else if (name.endsWith("/COMMITTED")) {
        JsonNode marker = json.readTree(bytes);
        marker.path("objects").forEach(o -> ((ObjectNode) o).remove("generation"));
        out.put(name, marker);
      } else if (name.equals("pretrain/metrics.jsonl")) {
        List<JsonNode> steps = new ArrayList<>();
        for (String line : new String(bytes, StandardCharsets.UTF_8).strip().split("\n")) {
          steps.add(((ObjectNode) json.readTree(line)).remove(List.of("stepSeconds", "imagesPerSecond", "time")));
        }
        out.put(name, steps);
      } else if (name.equals("evaluate/metrics.json")) {
        out.put(name, ((ObjectNode) json.readTree(bytes)).without("timing"));
      } else {
        out.put(name, Sha256.of(bytes));
      }
    }
    return out;
  }

  /** A command's printed lines with their timings masked. */
  static List<String> summary(String printed) {
    return Arrays.stream(printed.split("\n"))
        .map(l -> l.replaceAll("\\w+Millis\\([^)]*\\)", "Millis(...)")
            .replaceAll("\\d+(\\.\\d+)? s\\b", "# s")
            .replaceAll("\\(\\d+(\\.\\d+)? (\\w+)/s\\)", "(# $2/s)"))
        .toList();
  }

  /** The distinct WARN and ERROR lines logged outside Flink's own, without their thread. */
  static Set<String> warnings(String logged) {
    return Arrays.stream(logged.split("\n"))
        .filter(l -> (l.contains(" WARN ") || l.contains(" ERROR ")) && !l.contains("org.apache.flink"))
        .map(l -> l.replaceFirst("^\\[[^\\]]*\\] ", "").strip())
        .collect(Collectors.toCollection(LinkedHashSet::new));
  }

  /** Copies a run's objects to target/gcs-fault-workflow/{@code name}/, for diffing. */
  static void keep(Run run, String name) throws IOException {
    Path dir = Path.of("target", "gcs-fault-workflow", name);
    Locations.deleteTree(dir);
    for (Map.Entry<String, byte[]> e : run.objects().entrySet()) {
      Path f = dir.resolve(e.getKey());
      Files.createDirectories(f.getParent());
      Files.write(f, e.getValue());
    }
  }

  /** Writes to two streams. */
  static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) throws IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }

    @Override
    public void flush() throws IOException {
      a.flush();
      b.flush();
    }
  }
}
