package dev.symmim.testing.gcs;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Reads what {@link GcsServer#logCalls} wrote. */
final class CallLog {
  private CallLog() {}

  /**
   * The log once it holds {@code line} (or after 10 s): the server logs a call after answering it, so
   * the last call's line may come a moment after the client has its answer.
   */
  static String awaiting(ByteArrayOutputStream calls, String line) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    String log = calls.toString(StandardCharsets.UTF_8);
    while (!log.contains(line) && System.nanoTime() < deadline) {
      Thread.sleep(10);
      log = calls.toString(StandardCharsets.UTF_8);
    }
    return log;
  }
}
