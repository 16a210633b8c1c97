package dev.symmim.pipelines.cli;

import dev.symmim.pipelines.prepare.PrepareOptions;
import dev.symmim.pipelines.embed.EmbedOptions;
import dev.symmim.pipelines.runner.RunnerDefaults;

import static org.junit.Assert.assertEquals;

import org.apache.beam.runners.spark.SparkPipelineOptions;
import org.apache.beam.runners.spark.SparkRunner;
import org.junit.Test;

/** {@code --runner=SparkRunner}: the CLI's defaults for it and embed's torch threads per local master. */
public class SparkFlagsTest {
  @Test
  public void sparkRunnerDefaultsToOneTaskThreadPerCore() {
    PrepareOptions o = Symmim.parse(new String[] {"--runner=SparkRunner"}, PrepareOptions.class);
    assertEquals(SparkRunner.class, o.getRunner());
    assertEquals("local[" + Runtime.getRuntime().availableProcessors() + "]",
        o.as(SparkPipelineOptions.class).getSparkMaster());
  }

  @Test
  public void givenSparkMasterIsKept() {
    EmbedOptions o = Symmim.parse(new String[] {"--runner=SparkRunner", "--sparkMaster=spark://127.0.0.1:7077"},
        EmbedOptions.class);
    assertEquals("spark://127.0.0.1:7077", o.as(SparkPipelineOptions.class).getSparkMaster());
  }

  @Test
  public void localMasterDriverBindsToLoopback() {
    Symmim.parse(new String[] {"--runner=SparkRunner", "--sparkMaster=local[2]"}, PrepareOptions.class);
    assertEquals("127.0.0.1", System.getProperty("spark.driver.bindAddress"));
  }

  @Test
  public void embedSplitsTheCoresAmongLocalTaskThreads() {
    assertEquals(2, RunnerDefaults.localSparkThreads("local[2]", 8));
    assertEquals(1, RunnerDefaults.localSparkThreads("local", 8));
    assertEquals(8, RunnerDefaults.localSparkThreads("local[*]", 8));
    assertEquals(3, RunnerDefaults.localSparkThreads("local[3,2]", 8));
    assertEquals(1, RunnerDefaults.localSparkThreads("spark://127.0.0.1:7077", 8));
  }
}
