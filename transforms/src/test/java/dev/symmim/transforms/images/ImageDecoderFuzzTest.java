package dev.symmim.transforms.images;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.symmim.schemas.Example;
import dev.symmim.schemas.FailedRecord;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.dataset.PrepareDataset;
import dev.symmim.transforms.failures.BadInputException;
import dev.symmim.transforms.failures.FailedRecords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Fuzzes the decode path of {@code prepare} with damaged copies of the real fixtures (bit flips,
 * overwritten bytes, truncations, zeroed ranges, header bytes set to extremes, repeated blocks):
 * each case must become a prepared example or a refusal with a kind and a reason (what prepare
 * writes as a dead letter), within a time limit. Seeded: a failure names the seed and case that
 * replay it. The counts are printed for docs/fuzzing.md.
 */
public class ImageDecoderFuzzTest {
  static final long SEED = 18;
  static final int CASES_PER_FILE = 500;
  static final int PREPARE_CASES = 120;
  static final long MAX_PIXELS = 64L << 20;

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();
  /** Generous on a loaded 2-core machine: an intact fixture decodes in about a millisecond. */
  static final long CASE_TIMEOUT_SECONDS = 20;
  static final List<String> FILES =
      List.of("top/a.png", "root.png", "trouser/c.png", "top/b.jpg", "top/a-copy.bmp", "trouser/d.gif");

  @Test
  public void everyDamagedImageIsPreparedOrRefusedWithAReasonInTime() throws Exception {
    Map<String, Integer> outcomes = new TreeMap<>();
    List<String> problems = new ArrayList<>();
    int cases = 0;
    long slowestNanos = 0;
    String slowest = "";
    ExecutorService executor = Executors.newSingleThreadExecutor(daemon());
    try {
      for (String file : FILES) {
        byte[] original = Fixtures.bytes(file);
        for (int i = 0; i < CASES_PER_FILE; i++) {
          ByteMutator.Mutation m = ByteMutator.mutate(original, SEED, i);
          String name = file + " seed " + SEED + " case " + i + " (" + m.kind() + ": " + m.detail() + ")";
          cases++;
          long start = System.nanoTime();
          Future<String> outcome = executor.submit(() -> prepareOrRefuse(m.bytes()));
          try {
            String o = outcome.get(CASE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (System.nanoTime() - start > slowestNanos) {
              slowestNanos = System.nanoTime() - start;
              slowest = name;
            }
            outcomes.merge(o, 1, Integer::sum);
            outcomes.merge(m.kind() + " -> " + o.substring(0, o.indexOf(' ') < 0 ? o.length() : o.indexOf(' ')),
                1, Integer::sum);
          } catch (TimeoutException e) {
            problems.add(name + ": no answer in " + CASE_TIMEOUT_SECONDS + " s");
            executor.shutdownNow(); // the stuck thread is a daemon; stop here rather than pile up more
            break;
          } catch (ExecutionException e) {
            problems.add(name + ": " + e.getCause());
          }
        }
        if (!problems.isEmpty() && problems.get(problems.size() - 1).contains("no answer")) {
          break;
        }
      }
    } finally {
      executor.shutdownNow();
    }
    StringBuilder table = new StringBuilder("image decode fuzz: " + cases + " cases, seed " + SEED + "\n");
    outcomes.forEach((k, v) -> table.append(String.format("  %-44s %5d%n", k, v)));
    table.append(String.format("  slowest case %.1f ms: %s%n", slowestNanos / 1e6, slowest));
    System.out.print(table);
    assertTrue(problems.size() + " of " + cases + " cases escaped:\n" + String.join("\n", problems),
        problems.isEmpty());
    assertTrue("at least 1,000 cases, got " + cases, cases >= 1000);
  }

  @Test
  public void preparingDamagedFilesOnTheDirectRunnerReconcilesEveryInput() throws Exception {
    Path input = tmp.newFolder("damaged").toPath();
    long refused = 0;
    for (int i = 0; i < PREPARE_CASES; i++) {
      String file = FILES.get(i * FILES.size() / PREPARE_CASES); // 20 of each, every kind of damage
      ByteMutator.Mutation m = ByteMutator.mutate(Fixtures.bytes(file), SEED + 1, i);
      Path target = input.resolve(file.contains("/") ? file.substring(0, file.indexOf('/')) : "root")
          .resolve(String.format("%03d-%s", i, file.substring(file.lastIndexOf('/') + 1)));
      Files.createDirectories(target.getParent());
      Files.write(target, m.bytes());
      refused += prepareOrRefuse(m.bytes()).startsWith("refused") ? 1 : 0;
    }
    String out = tmp.newFolder("prepared").toString();
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    pipeline.apply(PrepareDataset.with(new PrepareDataset.Settings(
        ImageSource.resolve(input.toString(), ImageFormat.auto), out, new ImagePreprocessor(16, 1, PixelStorage.raw),
        MAX_PIXELS, 0.2, 3, 2, 1L << 27, "{\"fuzz\":true}")));
    pipeline.run().waitUntilFinish();

    DatasetManifest manifest = DatasetManifest.readFrom(out);
    long deadLetters = 0;
    try (DataFileReader<FailedRecord> r = new DataFileReader<>(
        Path.of(out, "failed/failed-00000-of-00001.avro").toFile(), new SpecificDatumReader<>(FailedRecord.class))) {
      for (FailedRecord f : r) {
        assertTrue("dead letter without a reason: " + f, f.getMessage().length() > "corrupt: ".length());
        deadLetters++;
      }
    }
    System.out.printf("prepare fuzz: %d files, %d examples, %d duplicates, %d dead letters%n",
        manifest.inputs(), manifest.records(), manifest.duplicates(), deadLetters);
    assertEquals(PREPARE_CASES, manifest.inputs());
    assertTrue(manifest.reconciles());
    assertEquals(manifest.failed(), deadLetters);
    assertEquals("the same files refused as by the decoder alone", refused, deadLetters);
  }

  /**
   * What the prepare DoFn does with one file's bytes: decode, preprocess to a 32 px grey example,
   * or build the dead letter. Returns "prepared" or "refused KIND"; anything else propagates.
   */
  static String prepareOrRefuse(byte[] bytes) {
    ImagePreprocessor preprocessor = new ImagePreprocessor(32, 1, PixelStorage.raw);
    try {
      RasterImage image = new ImageDecoder(MAX_PIXELS).decode(bytes);
      Example example = preprocessor.toExample("fuzz", "fuzz", null, -1, null, image);
      assertEquals(32 * 32, example.getPixels().remaining());
      return "prepared";
    } catch (BadInputException e) {
      FailedRecord dead = FailedRecords.of("decode", "fuzz", preprocessor.sha256Hex(bytes), e);
      assertTrue("refusal without a kind: " + dead, e.kind() != null && !e.kind().isBlank());
      assertTrue("refusal without a reason: " + dead, e.getMessage() != null && !e.getMessage().isBlank()
          && !e.getMessage().endsWith(": null"));
      return "refused " + e.kind();
    }
  }

  private static java.util.concurrent.ThreadFactory daemon() {
    return r -> {
      Thread t = new Thread(r, "image-fuzz");
      t.setDaemon(true);
      return t;
    };
  }
}
