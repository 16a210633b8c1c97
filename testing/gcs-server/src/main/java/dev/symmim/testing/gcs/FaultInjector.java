package dev.symmim.testing.gcs;

import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decides, per HTTP call, whether to fail it before it takes effect: with probability {@code rate}
 * the call is answered 503 or its connection is closed with no response (half each), from a seeded
 * random sequence. Calls arrive concurrently, so which call gets which draw can vary between runs;
 * the rate and the kinds do not.
 */
final class FaultInjector {
  /** What to do with a call. */
  enum Fault { NONE, UNAVAILABLE, RESET }

  private final double rate;
  private final Random random;
  private final AtomicLong calls = new AtomicLong();
  private final AtomicLong unavailable = new AtomicLong();
  private final AtomicLong resets = new AtomicLong();

  FaultInjector(double rate, long seed) {
    if (!(rate >= 0 && rate < 1)) {
      throw new IllegalArgumentException("fault rate " + rate + " must be in [0, 1)");
    }
    this.rate = rate;
    this.random = new Random(seed);
  }

  Fault next() {
    calls.incrementAndGet();
    if (rate == 0) {
      return Fault.NONE;
    }
    double draw;
    boolean reset;
    synchronized (random) {
      draw = random.nextDouble();
      reset = random.nextBoolean();
    }
    if (draw >= rate) {
      return Fault.NONE;
    }
    (reset ? resets : unavailable).incrementAndGet();
    return reset ? Fault.RESET : Fault.UNAVAILABLE;
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
}
