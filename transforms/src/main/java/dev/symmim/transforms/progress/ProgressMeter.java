package dev.symmim.transforms.progress;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-JVM progress of a long job: DoFns add to named counts, and whichever thread first notices
 * that the interval has passed logs one line with every count and the rate of the first one. At
 * most one line per interval per job name, whatever the parallelism. Beam counters remain the
 * source of truth for totals; this is for a person watching a run.
 */
public final class ProgressMeter {
  private static final Logger LOG = LoggerFactory.getLogger(ProgressMeter.class);
  private static final Map<String, ProgressMeter> METERS = new ConcurrentHashMap<>();
  private static final long INTERVAL_NANOS = 10_000_000_000L;

  private final String job;
  private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
  private final AtomicLong nextReport;
  private final long startNanos;
  private volatile String rateKey;

  private ProgressMeter(String job) {
    this.job = job;
    this.startNanos = System.nanoTime();
    this.nextReport = new AtomicLong(startNanos + INTERVAL_NANOS);
  }

  /** The meter of {@code job} in this JVM. */
  public static ProgressMeter of(String job) {
    return METERS.computeIfAbsent(job, ProgressMeter::new);
  }

  /** Adds {@code n} to {@code key}; the first key ever added is the one whose rate is shown. */
  public void add(String key, long n) {
    if (rateKey == null) {
      rateKey = key;
    }
    counts.computeIfAbsent(key, k -> new AtomicLong()).addAndGet(n);
    long now = System.nanoTime();
    long due = nextReport.get();
    if (now >= due && nextReport.compareAndSet(due, now + INTERVAL_NANOS)) {
      LOG.info(line(now));
    }
  }

  /** The current line, e.g. {@code prepare: decoded=1200 written=800 (240.0/s decoded, 5s)}. */
  public String line(long nowNanos) {
    StringBuilder sb = new StringBuilder(job).append(':');
    new TreeMap<>(counts).forEach((k, v) -> sb.append(' ').append(k).append('=').append(v.get()));
    double seconds = Math.max(1e-9, (nowNanos - startNanos) / 1e9);
    String key = rateKey;
    if (key != null) {
      sb.append(String.format(" (%.1f/s %s, %.0fs)", counts.get(key).get() / seconds, key, seconds));
    }
    return sb.toString();
  }
}
