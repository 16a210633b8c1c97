package dev.symmim.transforms.progress;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-JVM progress of a long job: DoFns add to named counts; while the driver holds a {@link
 * Reporting} open, one line with every count and the rate of the first one is logged every
 * interval, whatever the parallelism or stage. With a runner whose workers live in other JVMs the
 * driver's line shows elapsed time only; Beam counters remain the source of truth for totals.
 */
public final class ProgressMeter {
  private static final Logger LOG = LoggerFactory.getLogger(ProgressMeter.class);
  private static final Map<String, ProgressMeter> METERS = new ConcurrentHashMap<>();

  private final String job;
  private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
  private volatile long startNanos = System.nanoTime();
  private volatile String rateKey;

  private ProgressMeter(String job) {
    this.job = job;
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
  }

  /** The current line, e.g. {@code prepare: read=1200 written=800 (240.0/s read, 5s)}. */
  public String line() {
    StringBuilder sb = new StringBuilder(job).append(':');
    new TreeMap<>(counts).forEach((k, v) -> sb.append(' ').append(k).append('=').append(v.get()));
    double seconds = Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
    String key = rateKey;
    if (key != null) {
      sb.append(String.format(" (%.1f/s %s, %.0fs)", counts.get(key).get() / seconds, key, seconds));
    } else {
      sb.append(String.format(" (%.0fs)", seconds));
    }
    return sb.toString();
  }

  /** Zeroes the counts and starts logging a line every {@code seconds} until closed. */
  public Reporting report(long seconds) {
    counts.clear();
    rateKey = null;
    startNanos = System.nanoTime();
    return new Reporting(this, seconds);
  }

  /** Periodic progress lines; closing it stops them. */
  public static final class Reporting implements AutoCloseable {
    private final ScheduledExecutorService timer;

    private Reporting(ProgressMeter meter, long seconds) {
      timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "progress-" + meter.job);
        t.setDaemon(true);
        return t;
      });
      timer.scheduleAtFixedRate(() -> LOG.info(meter.line()), seconds, seconds, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
      timer.shutdownNow();
    }
  }
}
