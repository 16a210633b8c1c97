package dev.symmim.transforms.training;

import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A trainer as {@link TrainingLoop} sees it: one step per batch (a NaN guard may refuse a step, then
 * nothing changed), its full state as a {@link CheckpointStore.Snapshot}, and its applied-step count.
 * Pretraining adapts {@code SymMimTrainer}, fine-tuning its classifier trainer ({@link Adapted}).
 *
 * @param <B> the batch type of the stage
 */
public interface Trainer<B> extends AutoCloseable {
  /** One optimizer step on {@code batch}. */
  StepOutcome step(B batch);

  /** The full state (parameters, optimizer moments, counters, RNG), for an exact resume. */
  CheckpointStore.Snapshot snapshot();

  /** Applied (not refused) steps so far. */
  long stepCount();

  /** The device the trainer computes on, for the log. */
  String device();

  @Override
  void close();

  /**
   * A model-level trainer {@code trainer} seen through these functions.
   *
   * @param <B> the batch type
   * @param <T> the adapted trainer, reachable for stage code (an evaluation at the end, say)
   */
  record Adapted<B, T extends AutoCloseable>(T trainer, Function<B, StepOutcome> stepper,
      Supplier<CheckpointStore.Snapshot> snapshots, LongSupplier steps, String device) implements Trainer<B> {
    @Override
    public StepOutcome step(B batch) {
      return stepper.apply(batch);
    }

    @Override
    public CheckpointStore.Snapshot snapshot() {
      return snapshots.get();
    }

    @Override
    public long stepCount() {
      return steps.getAsLong();
    }

    @Override
    public void close() {
      try {
        trainer.close();
      } catch (Exception e) {
        throw new IllegalStateException("closing the trainer: " + e.getMessage(), e);
      }
    }
  }
}
