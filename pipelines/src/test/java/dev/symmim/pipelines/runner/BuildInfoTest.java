package dev.symmim.pipelines.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assume.assumeTrue;

import org.junit.Test;

/** The code version recorded in run.json is the build's {@code git describe}, not a placeholder. */
public class BuildInfoTest {
  /** {@code git describe --always} of the checkout the tests run in; null outside a git checkout. */
  private static String describe() throws Exception {
    Process p = new ProcessBuilder("git", "describe", "--always").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes()).trim();
    return p.waitFor() == 0 && !out.isEmpty() ? out : null;
  }

  @Test
  public void theVersionIsTheBuildsGitDescribe() throws Exception {
    String describe = describe();
    assumeTrue("built outside a git checkout", describe != null);
    assertNotEquals("dev", BuildInfo.version());
    // Built from this commit: the same description, with -dirty if tracked files had changes then.
    assertThat(BuildInfo.version(), startsWith(describe));
  }
}
