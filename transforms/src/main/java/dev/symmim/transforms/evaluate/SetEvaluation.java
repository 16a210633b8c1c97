package dev.symmim.transforms.evaluate;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Every evaluation of one embedding set. {@code projection} (2-D PCA points {@code [x, y, label]} of
 * sampled queries) travels with the set until {@link WriteEvaluationMetrics} moves it to
 * {@code projections.json}; it is null in {@code metrics.json}. A part may be null when the set
 * cannot give it (no labelled queries).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SetEvaluation(String name, KnnResult knn, ProbeResult linearProbe, HealthResult featureHealth,
    List<double[]> projection) {
  public SetEvaluation withoutProjection() {
    return new SetEvaluation(name, knn, linearProbe, featureHealth, null);
  }
}
