package dev.symmim.pipelines;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The end-to-end tests' way to run {@code bin/symmim} as a user does, from this checkout. */
public final class SymmimProcess {
  private SymmimProcess() {}

  /** The repository root (the tests run in pipelines/). */
  public static Path repo() {
    return Path.of("..").toAbsolutePath().normalize();
  }

  /** {@code bin/symmim args} with {@code env} added to the environment, to redirect and start. */
  public static ProcessBuilder builder(Map<String, String> env, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(repo().resolve("bin/symmim").toString());
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().putAll(env);
    return pb;
  }

  /** Starts {@code bin/symmim args} with both output streams to {@code log}. */
  public static Process start(Path log, List<String> args) throws IOException {
    return builder(Map.of(), args).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /**
   * Waits until {@code file} (which the running command {@code p} appends to, e.g. metrics.jsonl) has
   * {@code lines} lines or {@code p} has ended; fails after 3 minutes, showing {@code log}.
   */
  public static void awaitLines(Process p, Path file, int lines, Path log) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (p.isAlive() && (!Files.exists(file) || Files.readAllLines(file).size() < lines)) {
      assertTrue("no progress before the deadline:\n" + Files.readString(log), System.nanoTime() < deadline);
      Thread.sleep(5); // polling a file another process writes; not a timing assumption
    }
  }

  /** Runs bin/symmim; returns its combined output, failing on a non-zero exit. */
  public static String run(Map<String, String> env, String... args) throws Exception {
    Process proc = builder(env, Arrays.asList(args)).redirectErrorStream(true).start();
    String output = new String(proc.getInputStream().readAllBytes());
    int code = proc.waitFor();
    assertEquals("bin/symmim " + String.join(" ", args) + " failed:\n" + output, 0, code);
    return output;
  }
}
