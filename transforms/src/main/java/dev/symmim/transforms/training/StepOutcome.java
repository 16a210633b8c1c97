package dev.symmim.transforms.training;

import java.util.Map;

/** What one training step did, as the loop logs it. */
public interface StepOutcome {
  /** Applied steps after this one. */
  long step();

  /** The total loss (NaN or infinite when the step was refused for it). */
  double loss();

  /** Whether the NaN guard refused the step (nothing changed). */
  boolean refused();

  /** Why it was refused; null otherwise. */
  String reason();

  /** The step's own fields of a metrics.jsonl record (loss parts, learning rate, ...), in order; finite numbers or strings. */
  Map<String, Object> metrics();

  /** The progress line's part for this step, e.g. {@code loss=2.2065 (mim 0.7232, con 1.4833) lr=0.000115}. */
  String progress();
}
