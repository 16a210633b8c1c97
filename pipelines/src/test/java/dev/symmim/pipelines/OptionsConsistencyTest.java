package dev.symmim.pipelines;

import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Test;

/**
 * demo and ablate register several commands' options in one JVM; Beam then refuses flags that
 * share a name but differ in type or default annotation. Every command chained that way must
 * therefore agree: this fails on the first contradiction.
 */
public class OptionsConsistencyTest {
  @Test
  public void chainedCommandsHaveConsistentFlags() {
    List<Class<? extends PipelineOptions>> chained = List.of(DemoOptions.class, PrepareOptions.class,
        PretrainOptions.class, EmbedOptions.class, EvaluateOptions.class, AblateOptions.class, IndexOptions.class);
    for (Class<? extends PipelineOptions> c : chained) {
      PipelineOptionsFactory.register(c);
    }
    for (Class<? extends PipelineOptions> c : chained) {
      PipelineOptionsFactory.fromArgs("--runner=DirectRunner").as(c);
    }
  }
}
