package dev.symmim.transforms.evaluate;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * {@code benchmark.json} of {@code symmim benchmark}: the label-efficiency experiment on one
 * dataset: one pretraining run, the frozen read-outs of its encoder against the baselines, and
 * fine-tuning at each label fraction for each arm and seed, with the summary (mean, sample std)
 * per fraction and arm.
 *
 * @param command {@code symmim benchmark}: with {@code flags}, what {@code --config} replays
 * @param flags every flag of the command as it ran
 * @param codeVersion the version of the code that wrote it ({@code git describe} at build time)
 * @param protocol what every number means
 * @param pretrain the pretraining run: where, its flags, its wall seconds (measured when it ran)
 * @param frozen the evaluation of the pretrained encoder (k-NN, linear probe, baselines), null before it ran
 * @param runs every fine-tuning run, finished ones with their results
 * @param summary mean and sample std of top-1 per (fraction, arm) over the finished seeds
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BenchmarkResult(String command, Map<String, Object> flags, String codeVersion, String protocol, String dataset, Pretraining pretrain, EvaluationMetrics frozen,
    List<Run> runs, List<Cell> summary) {
  /** The pretraining run. */
  public record Pretraining(String runDir, Map<String, Object> flags, double wallSeconds, long steps) {}

  /**
   * One fine-tuning run.
   *
   * @param arm {@code symmim} (from the pretrained encoder), {@code scratch} (same recipe, random init) or
   *     {@code matched} (random init, more epochs: its wall time = pretraining + the symmim run's)
   */
  public record Run(double fraction, String arm, long seed, int epochs, String runDir, long labelled, double top1,
      double top5, long valQueries, double wallSeconds) {}

  /** Top-1 over the seeds of one (fraction, arm). */
  public record Cell(double fraction, String arm, int n, double meanTop1, double stdTop1, double meanWallSeconds) {
    /** The standard error of the mean over seeds: std / sqrt(n). */
    public double standardError() {
      return n > 1 ? stdTop1 / Math.sqrt(n) : Double.NaN;
    }
  }
}
