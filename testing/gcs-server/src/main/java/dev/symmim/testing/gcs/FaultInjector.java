package dev.symmim.testing.gcs;

import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decides, per HTTP call, whether to fail it: with probability {@code rate} the call is answered
 * 503 or its connection is closed with no response, both before the call takes effect, or it is
 * answered normally after a delay of {@link #SLOW_MIN_MILLIS} to {@link #SLOW_MAX_MILLIS} ms (a
 * third each), from a seeded random sequence. Calls arrive concurrently, so which call gets which
 * draw can vary between runs; the rate and the kinds do not.
 *
 * <p>Apart from the rate, one resumable upload can be failed in its middle once ({@link
 * #armMidUpload}): see {@link #midUploadCut}.
 */
final class FaultInjector {
  /** What to do with a call. */
  enum Fault { NONE, UNAVAILABLE, RESET, SLOW }

  /** A call's fate: the fault, and for {@link Fault#SLOW} how long to wait before answering. */
  record Decision(Fault fault, long delayMillis) {
    static final Decision NONE = new Decision(Fault.NONE, 0);
  }

  static final int SLOW_MIN_MILLIS = 200;
  static final int SLOW_MAX_MILLIS = 500;

  private final double rate;
  private final Random random;
  private final AtomicLong calls = new AtomicLong();
  private final AtomicLong unavailable = new AtomicLong();
  private final AtomicLong resets = new AtomicLong();
  private final AtomicLong slow = new AtomicLong();
  /** The byte offset past which the next resumable chunk is cut; -1 when not armed. */
  private final AtomicLong midUploadAt = new AtomicLong(-1);
  private final AtomicLong midUploadFailures = new AtomicLong();

  FaultInjector(double rate, long seed) {
    if (!(rate >= 0 && rate < 1)) {
      throw new IllegalArgumentException("fault rate " + rate + " must be in [0, 1)");
    }
    this.rate = rate;
    this.random = new Random(seed);
  }

  Decision next() {
    calls.incrementAndGet();
    if (rate == 0) {
      return Decision.NONE;
    }
    double draw;
    int kind;
    int delay;
    synchronized (random) {
      draw = random.nextDouble();
      if (draw >= rate) {
        return Decision.NONE;
      }
      kind = random.nextInt(3);
      delay = SLOW_MIN_MILLIS + random.nextInt(SLOW_MAX_MILLIS - SLOW_MIN_MILLIS + 1);
    }
    switch (kind) {
      case 0:
        unavailable.incrementAndGet();
        return new Decision(Fault.UNAVAILABLE, 0);
      case 1:
        resets.incrementAndGet();
        return new Decision(Fault.RESET, 0);
      default:
        slow.incrementAndGet();
        return new Decision(Fault.SLOW, delay);
    }
  }

  /** Fails, once, the first resumable chunk that reaches past byte {@code afterBytes} of its upload. */
  void armMidUpload(long afterBytes) {
    if (afterBytes < 0) {
      throw new IllegalArgumentException("afterBytes " + afterBytes + " must be >= 0");
    }
    midUploadAt.set(afterBytes);
  }

  /**
   * For a resumable chunk holding bytes {@code [first, end)} of its upload: -1 to take it as usual,
   * or (once, when armed and {@code end} is past the armed offset) the offset at which to cut it:
   * the bytes before it are kept, the rest are lost with the connection.
   */
  long midUploadCut(long first, long end) {
    long at = midUploadAt.get();
    if (at < 0 || end <= at || !midUploadAt.compareAndSet(at, -1)) {
      return -1;
    }
    midUploadFailures.incrementAndGet();
    return Math.max(first, at);
  }

  double rate() {
    return rate;
  }

  long calls() {
    return calls.get();
  }

  long unavailable() {
    return unavailable.get();
  }

  long resets() {
    return resets.get();
  }

  long slow() {
    return slow.get();
  }

  long midUploadFailures() {
    return midUploadFailures.get();
  }
}
