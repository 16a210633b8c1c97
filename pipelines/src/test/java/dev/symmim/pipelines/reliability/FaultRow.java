package dev.symmim.pipelines.reliability;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One row of docs/reliability.md, written by the test that injected the fault once its assertions
 * passed: {@code target/reliability/<id>.json} in the module the test runs in. {@code bin/test
 * --faults} runs the fault tests and renders the rows into the table ({@link ReliabilityTable}).
 *
 * @param id stable file name, e.g. {@code pretrain-batch-size-abc}
 * @param fault what went wrong, in a user's words
 * @param injection how the test caused it
 * @param userSees what the user sees (the actual error line or output, captured by the test)
 * @param lost what was lost, as checked by the test (must be nothing)
 * @param test the test class and method that checked it
 * @param figures measured figures worth a column (calls failed, seconds, bytes), or empty
 */
public record FaultRow(String id, String fault, String injection, String userSees, String lost, String test,
    Map<String, Object> figures) {
  /** Where rows are written (relative to the module directory, where surefire and failsafe run). */
  public static final Path DIR = Path.of("target", "reliability");

  public FaultRow {
    figures = figures == null ? Map.of() : new LinkedHashMap<>(figures);
  }

  /** Writes this row; call it after the test's assertions, so only checked facts reach the table. */
  public void record() {
    try {
      Files.createDirectories(DIR);
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(DIR.resolve(id + ".json").toFile(), this);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Figures in the order given: {@code figures("calls", 120, "failed", 12)}. */
  public static Map<String, Object> figures(Object... keysAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  /** Shorthand: a row with no figures, written at once. */
  public static void record(String id, String fault, String injection, String userSees, String lost, String test) {
    new FaultRow(id, fault, injection, userSees, lost, test, Map.of()).record();
  }
}
