package dev.symmim.pipelines.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code bin/symmim <args>} as a child process and measures its peak resident set size: the
 * kernel's high-water mark {@code VmHWM} of {@code /proc/<pid>/status}, read every 100 ms while the
 * child lives (the launcher {@code exec}s java, so the pid is the JVM's). A mark only grows, so
 * polling misses at most the last 100 ms before exit.
 */
public final class PeakRss {
  private PeakRss() {}

  /**
   * What a child did.
   *
   * @param exit its exit status (-1: killed at the time limit)
   * @param peakKib its peak RSS in KiB
   * @param seconds wall time from start to exit
   */
  public record Run(int exit, long peakKib, double seconds) {
    public double peakMib() {
      return peakKib / 1024.0;
    }
  }

  /** The {@code bin/symmim} launcher of this installation ({@code -Dsymmim.home}, else the working directory). */
  public static Path launcher() {
    return Path.of(System.getProperty("symmim.home", "."), "bin", "symmim");
  }

  /**
   * Runs {@code bin/symmim args} with {@code SYMMIM_JAVA_OPTS=javaOpts} (empty: the JVM's default heap),
   * its output to {@code log} (null: discarded), killed after {@code timeoutSeconds}.
   */
  public static Run symmim(List<String> args, String javaOpts, Path log, long timeoutSeconds)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(launcher().toString());
    command.addAll(args);
    return of(command, Map.of("SYMMIM_JAVA_OPTS", javaOpts), log, timeoutSeconds);
  }

  /** Runs {@code command} with {@code env} added, measuring as described above. */
  public static Run of(List<String> command, Map<String, String> env, Path log, long timeoutSeconds)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().putAll(env);
    pb.redirectErrorStream(true).redirectOutput(log == null ? ProcessBuilder.Redirect.DISCARD
        : ProcessBuilder.Redirect.to(log.toFile()));
    long t0 = System.nanoTime();
    Process proc = pb.start();
    Path status = Path.of("/proc", Long.toString(proc.pid()), "status");
    long deadline = t0 + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    long peak = 0;
    while (proc.isAlive()) {
      peak = Math.max(peak, highWaterMark(status));
      if (System.nanoTime() > deadline) {
        proc.destroyForcibly().waitFor();
        return new Run(-1, peak, (System.nanoTime() - t0) / 1e9);
      }
      proc.waitFor(100, TimeUnit.MILLISECONDS);
    }
    return new Run(proc.waitFor(), peak, (System.nanoTime() - t0) / 1e9);
  }

  /** {@code VmHWM} in KiB of a {@code /proc/<pid>/status} file; 0 when the process is gone. */
  static long highWaterMark(Path status) {
    return procKib(status, "VmHWM");
  }

  /**
   * The value in KiB of the line {@code key: N kB} of a {@code /proc} file ({@code /proc/meminfo},
   * {@code /proc/<pid>/status}); 0 when the file or the line is not there (not Linux, a process gone).
   */
  static long procKib(Path file, String key) {
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith(key + ":")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException gone) {
      // no such file, or the process exited between the liveness check and the read
    }
    return 0;
  }
}
