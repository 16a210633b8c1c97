package dev.symmim.transforms.finetune;

import java.util.List;

/**
 * {@code metrics.json} of a fine-tuning run: top-1 and top-5 (fractions) of the final classifier on
 * the val split, next to the protocol string, and what produced them.
 *
 * @param init {@code pretrained:<checkpoint>#<branch>} or {@code random}
 * @param labelled labelled train examples used, {@code labelsDescription} how they were drawn
 * @param history the periodic evaluations during the run (epoch, top-1), when asked for
 */
public record FinetuneResult(String protocol, String init, String dataset, long labelled, String labelsDescription,
    int epochs, long steps, long valQueries, double top1, double top5, double trainSeconds, double evalSeconds,
    List<Evaluation> history) {
  /** One periodic evaluation. */
  public record Evaluation(long epoch, long step, double top1, double top5) {}

  /** Standard error of a top-1 accuracy on {@code valQueries} queries: sqrt(p (1 - p) / n). */
  public double top1StandardError() {
    return valQueries > 0 ? Math.sqrt(top1 * (1 - top1) / valQueries) : Double.NaN;
  }
}
