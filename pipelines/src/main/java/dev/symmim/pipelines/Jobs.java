package dev.symmim.pipelines;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;

/** Runs a pipeline to the end and reports its Beam metrics. */
final class Jobs {
  private Jobs() {}

  /** Runs {@code p}, fails unless it ends DONE, and returns the result (for metrics). */
  static PipelineResult run(Pipeline p, String command) {
    PipelineResult result = p.run();
    PipelineResult.State state = result.waitUntilFinish();
    if (state != PipelineResult.State.DONE) {
      throw new IllegalStateException(command + " pipeline ended in state " + state);
    }
    return result;
  }

  /** {@code " name=value ..."} for the counters and distributions of {@code namespace}. */
  static String metrics(PipelineResult result, String namespace) {
    StringBuilder out = new StringBuilder();
    try {
      var metrics = result.metrics().queryMetrics(
          MetricsFilter.builder().addNameFilter(MetricNameFilter.inNamespace(namespace)).build());
      for (MetricResult<Long> c : metrics.getCounters()) {
        out.append(' ').append(c.getName().getName()).append('=').append(c.getAttempted());
      }
      for (var d : metrics.getDistributions()) {
        var v = d.getAttempted();
        if (v.getCount() > 0) {
          out.append(' ').append(d.getName().getName()).append("(n=").append(v.getCount()).append(" mean=")
              .append(Math.round(v.getMean())).append(" max=").append(v.getMax()).append(')');
        }
      }
    } catch (UnsupportedOperationException e) {
      out.append(" (runner reports no metrics)");
    }
    return out.toString();
  }
}
