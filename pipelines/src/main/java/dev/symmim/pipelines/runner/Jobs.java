package dev.symmim.pipelines.runner;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Runs a pipeline to the end and reports its Beam metrics. */
public final class Jobs {
  private Jobs() {}

  /**
   * The DataflowRunner's {@code --templateLocation}, declared here as well so that symmim reads it
   * without the runner on its compile classpath (the runner is a runtime dependency).
   */
  public interface TemplateOptions extends PipelineOptions {
    @Description("Where the DataflowRunner writes the job instead of running it (a template, or a Flex Template "
        + "launch: its launcher passes this flag).")
    String getTemplateLocation();

    void setTemplateLocation(String value);
  }

  /** The system property a Flex Template entry point sets: its launcher hands Dataflow the job once the process ends. */
  public static final String SUBMIT_ONLY = "symmim.submitOnly";

  /**
   * Whether the job is handed to Dataflow and not waited for: the DataflowRunner only writes it to
   * {@code --templateLocation} (a Dataflow template, or the launch of a Flex Template, whose launcher
   * passes that flag and submits the job once this process has ended), or a Flex Template entry point
   * runs the stage ({@link #SUBMIT_ONLY}). The job runs later or elsewhere, so nothing it writes can be
   * read here and there is nothing to wait for.
   */
  public static boolean submitOnly(PipelineOptions o) {
    if (!o.getRunner().getSimpleName().equals("DataflowRunner")) {
      return false;
    }
    return templateLocation(o) != null || Boolean.getBoolean(SUBMIT_ONLY);
  }

  /** {@code --templateLocation}, or null when it is not given. */
  private static String templateLocation(PipelineOptions o) {
    String location = o.as(TemplateOptions.class).getTemplateLocation();
    return location == null || location.isBlank() ? null : location;
  }

  /**
   * Runs {@code p}, fails unless it ends DONE, and returns the result (for metrics). When the job is
   * only handed to Dataflow ({@link #submitOnly}), returns as soon as it is written or submitted.
   */
  public static PipelineResult run(Pipeline p, String command) {
    PipelineResult result = p.run();
    if (submitOnly(p.getOptions())) {
      String location = templateLocation(p.getOptions());
      System.out.println(command + ": " + (location != null
          ? "job written to " + location + " (--templateLocation); Dataflow runs it after this process ends"
          : "job submitted to Dataflow and not waited for (a Flex Template launch)")
          + ", so its outputs are not read here");
      return result;
    }
    PipelineResult.State state = result.waitUntilFinish();
    if (state != PipelineResult.State.DONE) {
      throw new IllegalStateException(command + " pipeline ended in state " + state);
    }
    return result;
  }

  /**
   * {@code " name=value ..."} for the counters and distributions of {@code namespace}, summed over
   * the steps that report them (e.g. one per embedded set).
   */
  public static String metrics(PipelineResult result, String namespace) {
    java.util.Map<String, Long> counters = new java.util.TreeMap<>();
    java.util.Map<String, long[]> distributions = new java.util.TreeMap<>(); // count, sum, max
    try {
      var metrics = result.metrics().queryMetrics(
          MetricsFilter.builder().addNameFilter(MetricNameFilter.inNamespace(namespace)).build());
      for (MetricResult<Long> c : metrics.getCounters()) {
        counters.merge(c.getName().getName(), c.getAttempted(), Long::sum);
      }
      for (var d : metrics.getDistributions()) {
        var v = d.getAttempted();
        long[] acc = distributions.computeIfAbsent(d.getName().getName(), k -> new long[] {0, 0, Long.MIN_VALUE});
        acc[0] += v.getCount();
        acc[1] += v.getSum();
        acc[2] = Math.max(acc[2], v.getMax());
      }
    } catch (UnsupportedOperationException e) {
      return " (runner reports no metrics)";
    }
    StringBuilder out = new StringBuilder();
    counters.forEach((name, value) -> out.append(' ').append(name).append('=').append(value));
    distributions.forEach((name, a) -> {
      if (a[0] > 0) {
        out.append(' ').append(name).append("(n=").append(a[0]).append(" mean=").append(a[1] / a[0])
            .append(" max=").append(a[2]).append(')');
      }
    });
    return out.toString();
  }
}
