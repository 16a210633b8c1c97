package dev.symmim.pipelines.evaluate;

import org.apache.beam.sdk.options.Validation;
import org.apache.beam.sdk.options.Description;
import dev.symmim.pipelines.options.EmbeddingsInputOptions;
import dev.symmim.pipelines.options.EvaluationOptions;
import dev.symmim.pipelines.options.InferenceOptions;
import dev.symmim.pipelines.options.OutputOptions;

/**
 * Options of {@code symmim evaluate}: the embeddings to evaluate, how, and {@code --output} for
 * metrics.json, projections.json, report.html with PNG plots and features/ (the baselines'
 * embeddings; {@code --batchSize} and {@code --device} are for embedding them).
 */
public interface EvaluateOptions extends EmbeddingsInputOptions, OutputOptions, EvaluationOptions, InferenceOptions {
  @Override
  @Description("Output directory: metrics.json, projections.json, report.html + PNG plots, features/ (baselines). Local or gs://.")
  @Validation.Required
  String getOutput();
}
