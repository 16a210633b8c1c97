package dev.symmim.transforms.training;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A preemption notice (SIGTERM: a spot VM or Dataflow worker being reclaimed, {@code kill}, a
 * cluster draining) lets the running training loops commit a checkpoint at their next step boundary
 * before the JVM exits. The JVM runs shutdown hooks on SIGTERM; the hook installed here raises the
 * flag every loop polls after each step and waits, at most {@link #GRACE_SECONDS}, until each loop
 * has committed and left. SIGKILL gives no notice: a run then resumes from its last periodic
 * checkpoint (every 10 minutes by default).
 */
public final class Preemption {
  private static final Logger LOG = LoggerFactory.getLogger(Preemption.class);
  /** How long the exit waits for the loops' checkpoints; preemption notices give about 30 s. */
  public static final long GRACE_SECONDS = 25;
  private static final Set<Object> RUNNING = ConcurrentHashMap.newKeySet();
  private static volatile boolean requested;
  private static boolean installed;

  private Preemption() {}

  /** Called by a loop as it starts: from now on a SIGTERM waits for it. */
  static synchronized void enter(Object loop) {
    if (!installed) {
      Runtime.getRuntime().addShutdownHook(new Thread(Preemption::onShutdown, "symmim-preemption"));
      installed = true;
    }
    RUNNING.add(loop);
  }

  /** Called by a loop as it leaves (finished, failed or checkpointed after a notice). */
  static void leave(Object loop) {
    synchronized (Preemption.class) {
      RUNNING.remove(loop);
      Preemption.class.notifyAll();
    }
  }

  /** Whether the JVM has been asked to exit; a loop that sees this commits and stops. */
  static boolean requested() {
    return requested;
  }

  private static void onShutdown() {
    requested = true;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GRACE_SECONDS);
    synchronized (Preemption.class) {
      if (!RUNNING.isEmpty()) {
        LOG.warn("asked to exit (SIGTERM): committing a checkpoint of {} running training loop(s) first",
            RUNNING.size());
      }
      long left;
      while (!RUNNING.isEmpty() && (left = deadline - System.nanoTime()) > 0) {
        try {
          Preemption.class.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      if (!RUNNING.isEmpty()) {
        LOG.warn("exiting before {} training loop(s) committed (grace of {} s spent); they resume from their last "
            + "checkpoint", RUNNING.size(), GRACE_SECONDS);
      }
    }
  }

  /** Thrown by a loop that stopped on a preemption notice after committing its checkpoint. */
  public static final class Stopped extends RuntimeException {
    public Stopped(String message) {
      super(message);
    }
  }
}
