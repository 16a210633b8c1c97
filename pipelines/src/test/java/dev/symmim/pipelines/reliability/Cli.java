package dev.symmim.pipelines.reliability;

import dev.symmim.pipelines.SymmimProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/symmim} as a user runs it, with stdout and stderr kept apart: what the user sees of a
 * failure is its stderr, and that must be one line.
 */
final class Cli {
  private Cli() {}

  /** A finished command: exit status, stdout, stderr. */
  record Result(int exit, String out, String err) {
    /** The stderr lines that are not log lines (the logger prints {@code HH:mm:ss LEVEL ...}). */
    List<String> errorLines() {
      return err.lines().filter(l -> !l.matches("\\d\\d:\\d\\d:\\d\\d (INFO|WARN|DEBUG|TRACE) .*")).toList();
    }

    /** The single line the user sees of a failure; fails the test if there is not exactly one. */
    String oneLine() {
      List<String> lines = errorLines();
      if (lines.size() != 1) {
        throw new AssertionError("expected one error line (exit " + exit + "), got " + lines.size() + ":\n" + err);
      }
      return lines.get(0);
    }

    String all() {
      return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  /** Runs bin/symmim to the end (at most 10 minutes). */
  static Result run(Map<String, String> env, Path work, String... args) throws IOException, InterruptedException {
    Path out = Files.createTempFile(work, "out", ".txt");
    Path err = Files.createTempFile(work, "err", ".txt");
    Process p = SymmimProcess.builder(env, Arrays.asList(args)).redirectOutput(out.toFile()).redirectError(err.toFile())
        .start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("bin/symmim " + String.join(" ", args) + " did not end in 10 minutes");
    }
    return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  static Result run(Path work, String... args) throws IOException, InterruptedException {
    return run(Map.of(), work, args);
  }
}
