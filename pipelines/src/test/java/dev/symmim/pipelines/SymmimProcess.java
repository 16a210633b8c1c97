package dev.symmim.pipelines;

import static org.junit.Assert.assertEquals;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;

/** The end-to-end tests' way to run {@code bin/symmim} as a user does, from this checkout. */
public final class SymmimProcess {
  private SymmimProcess() {}

  /** The repository root (the tests run in pipelines/). */
  public static Path repo() {
    return Path.of("..").toAbsolutePath().normalize();
  }

  /** Runs bin/symmim; returns its combined output, failing on a non-zero exit. */
  public static String run(Map<String, String> env, String... args) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(
        Stream.concat(Stream.of(repo().resolve("bin/symmim").toString()), Arrays.stream(args)).toList());
    pb.environment().putAll(env);
    pb.redirectErrorStream(true);
    Process proc = pb.start();
    String output = new String(proc.getInputStream().readAllBytes());
    int code = proc.waitFor();
    assertEquals("bin/symmim " + String.join(" ", args) + " failed:\n" + output, 0, code);
    return output;
  }
}
