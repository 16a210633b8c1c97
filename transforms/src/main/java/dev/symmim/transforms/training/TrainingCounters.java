package dev.symmim.transforms.training;

import java.io.Serializable;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;

/**
 * The Beam counters of a training stage's DoFn, in the namespace of its transform: steps, images,
 * rollbacks, checkpoints, and the step time distribution in milliseconds.
 */
public final class TrainingCounters implements TrainingLoop.Observer, Serializable {
  private final Counter steps;
  private final Counter images;
  private final Counter rollbacks;
  private final Counter checkpoints;
  private final Distribution stepMillis;

  public TrainingCounters(Class<?> namespace) {
    steps = Metrics.counter(namespace, "steps");
    images = Metrics.counter(namespace, "images");
    rollbacks = Metrics.counter(namespace, "rollbacks");
    checkpoints = Metrics.counter(namespace, "checkpoints");
    stepMillis = Metrics.distribution(namespace, "stepMillis");
  }

  @Override
  public void step(StepOutcome outcome, int n, double seconds) {
    steps.inc();
    images.inc(n);
    stepMillis.update(Math.round(seconds * 1000));
  }

  @Override
  public void rollback() {
    rollbacks.inc();
  }

  @Override
  public void checkpoint() {
    checkpoints.inc();
  }
}
