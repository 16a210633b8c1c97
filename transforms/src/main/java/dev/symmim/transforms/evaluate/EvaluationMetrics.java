package dev.symmim.transforms.evaluate;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * {@code metrics.json} of {@code symmim evaluate}: what was evaluated (embeddings, dataset,
 * checkpoint, model, classes, the pretraining dataset when known) and every set's results, in the
 * order evaluated (the main set first, then the baselines). Read back by the report and the
 * workflows through {@link MetricsJson}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EvaluationMetrics(String command, Map<String, Object> flags, String codeVersion, String embeddings,
    String dataset, String checkpoint, String modelId, String encoder, List<String> classes, String pretrainData,
    Map<String, SetEvaluation> sets, Timing timing) {
  /** Wall seconds of the two jobs: embedding the baselines, evaluating every set. */
  public record Timing(double baselineEmbedSeconds, double evaluateSeconds) {}

  public EvaluationMetrics withSets(Map<String, SetEvaluation> value) {
    return new EvaluationMetrics(command, flags, codeVersion, embeddings, dataset, checkpoint, modelId, encoder, classes,
        pretrainData, value, timing);
  }

  public EvaluationMetrics withTiming(Timing value) {
    return new EvaluationMetrics(command, flags, codeVersion, embeddings, dataset, checkpoint, modelId, encoder, classes,
        pretrainData, sets, value);
  }
}
