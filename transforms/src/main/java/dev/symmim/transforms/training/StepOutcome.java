package dev.symmim.transforms.training;

import java.util.Map;

/**
 * What one training step did, as the loop logs it.
 *
 * @param step applied steps after this one
 * @param loss the total loss (NaN or infinite when the step was refused for it)
 * @param refused whether the NaN guard refused the step (nothing changed)
 * @param reason why it was refused; null otherwise
 * @param metrics the step's own fields of a metrics.jsonl record (loss parts, learning rate, ...), in order;
 *     finite numbers or strings
 * @param progress the progress line's part for this step, e.g. {@code loss=2.2065 (mim 0.7232, con 1.4833) lr=0.000115}
 */
public record StepOutcome(long step, double loss, boolean refused, String reason, Map<String, Object> metrics,
    String progress) {
  /** {@code v} for a JSON record: the number when finite, else its text ("NaN", "Infinity"). */
  public static Object finite(double v) {
    return Double.isFinite(v) ? (Object) v : String.valueOf(v);
  }
}
