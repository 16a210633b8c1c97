package dev.symmim.transforms.pretrain;

import dev.symmim.model.augment.SymMimViews;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Prepares the two augmented views of batches {@code [from, to)} on background threads, at most
 * {@code capacity} batches ahead of the consumer, and hands them out in order. Views are a pure
 * function of (seed, epoch, image index), so the thread count never changes what is trained on.
 */
public final class BatchLoader implements AutoCloseable {
  /** One batch ready for the trainer. */
  public record Batch(long index, long epoch, float[] view1, float[] view2) {}

  private final TrainingImages images;
  private final BatchPlan plan;
  private final SymMimViews views;
  private final long seed;
  private final long to;
  private final int capacity;
  private final AtomicLong next;
  private final Map<Long, Batch> ready = new HashMap<>();
  private final Thread[] workers;
  private long consumed;
  private Throwable failure;
  private boolean closed;
  private boolean paused;
  private long waitNanos;

  public BatchLoader(TrainingImages images, BatchPlan plan, SymMimViews views, long seed, long from, long to,
      int threads, int capacity) {
    if (threads < 1 || capacity < 1) {
      throw new IllegalArgumentException("threads and capacity must be >= 1, got " + threads + ", " + capacity);
    }
    this.images = images;
    this.plan = plan;
    this.views = views;
    this.seed = seed;
    this.to = to;
    this.capacity = capacity;
    this.next = new AtomicLong(from);
    this.consumed = from;
    this.workers = new Thread[threads];
    for (int i = 0; i < threads; i++) {
      workers[i] = new Thread(this::work, "batch-loader-" + i);
      workers[i].setDaemon(true);
      workers[i].start();
    }
  }

  private void work() {
    try {
      while (true) {
        long b = next.getAndIncrement();
        if (b >= to) {
          return;
        }
        synchronized (this) {
          while (!closed && (paused || b >= consumed + capacity)) {
            wait();
          }
          if (closed) {
            return;
          }
        }
        Batch batch = make(b);
        synchronized (this) {
          ready.put(b, batch);
          notifyAll();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable t) {
      synchronized (this) {
        failure = t;
        notifyAll();
      }
    }
  }

  private Batch make(long b) {
    long[] idx = plan.indices(b);
    byte[][] px = new byte[idx.length][];
    for (int i = 0; i < idx.length; i++) {
      px[i] = images.pixels((int) idx[i]);
    }
    long epoch = plan.epochOf(b);
    float[][] v = views.batch(px, images.size(), images.size(), images.channels(), seed, epoch, idx);
    return new Batch(b, epoch, v[0], v[1]);
  }

  /** The next batch in order; blocks until a worker has made it. */
  public synchronized Batch take() throws InterruptedException {
    long b = consumed;
    if (b >= to) {
      throw new IllegalStateException("no batch after " + (to - 1));
    }
    long start = System.nanoTime();
    while (!ready.containsKey(b)) {
      if (failure != null) {
        throw new IllegalStateException("batch loader failed at or before batch " + b + ": " + failure, failure);
      }
      wait();
    }
    waitNanos += System.nanoTime() - start;
    consumed++;
    notifyAll();
    return ready.remove(b);
  }

  /**
   * Stops the workers from starting new batches until {@link #resume()} (a batch already being made
   * is finished). The overhead benchmark pauses the loader while it times the bare loop, so that
   * neither side gets the other's CPU.
   */
  public synchronized void pause() {
    paused = true;
  }

  public synchronized void resume() {
    paused = false;
    notifyAll();
  }

  /** Batches made and not yet taken. */
  synchronized int readyCount() {
    return ready.size();
  }

  /** Total time {@link #take} spent waiting for data. */
  public synchronized double waitSeconds() {
    return waitNanos / 1e9;
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      notifyAll();
    }
    for (Thread t : workers) {
      t.interrupt();
    }
  }
}
