package dev.symmim.transforms.training;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Makes batches {@code [from, to)} on background threads, at most {@code capacity} batches ahead of
 * the consumer, and hands them out in order. A batch must be a pure function of (batch index, epoch,
 * image indices) (views from (seed, epoch, image index)), so the thread count never changes what is
 * trained on.
 *
 * @param <B> the batch type
 */
public final class BatchLoader<B> implements BatchSource<B> {
  /** Makes one batch: the augmented views (and labels) of the plan's images for batch {@code index}. */
  public interface Maker<B> {
    B make(long index, long epoch, long[] imageIndices);
  }

  private final BatchPlan plan;
  private final Maker<B> maker;
  private final long to;
  private final int capacity;
  private final AtomicLong next;
  private final Map<Long, B> ready = new HashMap<>();
  private final Thread[] workers;
  private long consumed;
  private Throwable failure;
  private boolean closed;
  private boolean paused;
  private long waitNanos;

  public BatchLoader(BatchPlan plan, Maker<B> maker, long from, long to, int threads, int capacity) {
    if (threads < 1 || capacity < 1) {
      throw new IllegalArgumentException("threads and capacity must be >= 1, got " + threads + ", " + capacity);
    }
    this.plan = plan;
    this.maker = maker;
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
        B batch = maker.make(b, plan.epochOf(b), plan.indices(b));
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

  /** The next batch in order; blocks until a worker has made it. */
  @Override
  public synchronized B take() throws InterruptedException {
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
  @Override
  public synchronized void pause() {
    paused = true;
  }

  @Override
  public synchronized void resume() {
    paused = false;
    notifyAll();
  }

  /** Batches made and not yet taken. */
  synchronized int readyCount() {
    return ready.size();
  }

  /** Total time {@link #take} spent waiting for data. */
  @Override
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
