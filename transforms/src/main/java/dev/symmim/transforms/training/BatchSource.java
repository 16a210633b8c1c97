package dev.symmim.transforms.training;

/**
 * The batches of one attempt of a run, in order, made ahead on background threads
 * ({@link BatchLoader}).
 *
 * @param <B> the batch type of the stage
 */
public interface BatchSource<B> extends AutoCloseable {
  /** The next batch; blocks until it is ready. */
  B take() throws InterruptedException;

  /** Stops making batches ahead until {@link #resume()} (a benchmark's bare steps run meanwhile). */
  void pause();

  void resume();

  /** Total time {@link #take} spent waiting. */
  double waitSeconds();

  @Override
  void close();
}
