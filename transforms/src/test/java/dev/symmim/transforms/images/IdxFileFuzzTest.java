package dev.symmim.transforms.images;

import static org.junit.Assert.assertTrue;

import dev.symmim.transforms.failures.BadInputException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
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
import java.util.zip.GZIPInputStream;
import org.junit.Test;

/**
 * Fuzzes the IDX reader of {@code prepare} with damaged copies of the shipped Fashion-MNIST subset's
 * test files (1,000 images): the gzipped image file as shipped, the same file unzipped, and the
 * gzipped label file. Reading every record must end with all of them or with a refusal that has a
 * kind and a reason (one dead letter for the file), within a time limit: never an IOException or
 * another exception that would fail the job. Seeded; the counts are printed for docs/fuzzing.md.
 */
public class IdxFileFuzzTest {
  static final long SEED = 18;
  static final int CASES_PER_FILE = 120;
  static final long CASE_TIMEOUT_SECONDS = 20;
  static final Path SUBSET = Path.of("..", "data", "fashion-mnist-subset");

  @Test
  public void everyDamagedIdxFileIsReadWholeOrRefusedWithAReasonInTime() throws Exception {
    byte[] imagesGz = Files.readAllBytes(SUBSET.resolve("t10k-images-idx3-ubyte.gz"));
    byte[] labelsGz = Files.readAllBytes(SUBSET.resolve("t10k-labels-idx1-ubyte.gz"));
    byte[] images;
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(imagesGz))) {
      images = in.readAllBytes();
    }
    Map<String, Integer> outcomes = new TreeMap<>();
    List<String> problems = new ArrayList<>();
    int cases = 0;
    ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "idx-fuzz");
      t.setDaemon(true);
      return t;
    });
    try {
      for (String target : List.of("images.gz", "images", "labels.gz")) {
        for (int i = 0; i < CASES_PER_FILE && problems.stream().noneMatch(p -> p.contains("no answer")); i++) {
          byte[] original = target.equals("images.gz") ? imagesGz : target.equals("images") ? images : labelsGz;
          ByteMutator.Mutation m = ByteMutator.mutate(original, SEED, i);
          byte[] imageBytes = target.startsWith("labels") ? imagesGz : m.bytes();
          byte[] labelBytes = target.startsWith("labels") ? m.bytes() : labelsGz;
          cases++;
          Future<String> outcome = executor.submit(() -> readAll(imageBytes, labelBytes));
          String name = target + " seed " + SEED + " case " + i + " (" + m.kind() + ": " + m.detail() + ")";
          try {
            outcomes.merge(target + " " + outcome.get(CASE_TIMEOUT_SECONDS, TimeUnit.SECONDS), 1, Integer::sum);
          } catch (TimeoutException e) {
            problems.add(name + ": no answer in " + CASE_TIMEOUT_SECONDS + " s");
          } catch (ExecutionException e) {
            problems.add(name + ": " + e.getCause());
          }
        }
      }
    } finally {
      executor.shutdownNow();
    }
    StringBuilder table = new StringBuilder("IDX fuzz: " + cases + " cases, seed " + SEED + "\n");
    outcomes.forEach((k, v) -> table.append(String.format("  %-44s %5d%n", k, v)));
    System.out.print(table);
    assertTrue(problems.size() + " of " + cases + " cases escaped:\n"
        + String.join("\n", problems.subList(0, Math.min(40, problems.size()))), problems.isEmpty());
  }

  /** What the prepare DoFn does with an IDX file: every record, or one refusal. */
  static String readAll(byte[] images, byte[] labels) throws Exception {
    try (IdxFile idx = IdxFile.open(new ByteArrayInputStream(images), new ByteArrayInputStream(labels), 64L << 20)) {
      int n = 0;
      while (idx.hasNext()) {
        idx.next();
        n++;
      }
      return n == 1000 ? "read whole" : "read " + n + " records";
    } catch (BadInputException e) {
      assertTrue("refusal without a kind or reason: " + e.kind() + " " + e.getMessage(),
          e.kind() != null && !e.kind().isBlank() && e.getMessage() != null && !e.getMessage().isBlank());
      return "refused " + e.kind();
    }
  }
}
