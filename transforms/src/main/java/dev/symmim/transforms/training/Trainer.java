package dev.symmim.transforms.training;

/**
 * A trainer as {@link TrainingLoop} sees it: one step per batch (a NaN guard may refuse a step, then
 * nothing changed), its full state as a {@link CheckpointStore.Snapshot}, and its applied-step count.
 * Pretraining wraps {@code SymMimTrainer}, fine-tuning its classifier trainer.
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
}
