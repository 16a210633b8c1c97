package dev.symmim.model.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import org.junit.Test;

/** A short soak (the 500-step one is {@code LeakSoak.main}): no NDArray survives a step. */
public class LeakSoakTest {
  @Test
  public void liveArrayCountStaysFlat() {
    List<LeakSoak.Sample> samples = LeakSoak.run(LeakSoak.tinyConfig(), 120, 20);
    for (LeakSoak.Sample s : samples) {
      System.out.println(s);
      assertThat("trainer arrays at step " + s.step(), s.trainerArrays(), equalTo(samples.get(0).trainerArrays()));
      assertThat("engine arrays at step " + s.step(), s.engineArrays(), equalTo(samples.get(0).engineArrays()));
    }
  }
}
