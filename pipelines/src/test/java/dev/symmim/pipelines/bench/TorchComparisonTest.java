package dev.symmim.pipelines.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.symmim.pipelines.cli.Symmim;
import dev.symmim.pipelines.options.CommandLine;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.Assume;
import org.junit.Test;

/**
 * {@code symmim bench train|embed --against=pytorch} run tiny (no timing is asserted: the machine is
 * shared): both sides run interleaved, build models of the same size, and a ratio is printed. Needs
 * torch for /usr/bin/python3 (infra/dev/install-test-deps.sh); skipped without it.
 */
public class TorchComparisonTest {
  static final String[] TINY = {"--against=pytorch", "--imageSize=16", "--patchSize=4", "--dim=16", "--depth=1",
      "--heads=2", "--headHidden=32", "--headOut=16", "--batchSize=4", "--rounds=2", "--stepsPerBlock=2",
      "--warmupRounds=1"};

  static void assumeTorch() throws Exception {
    boolean ok;
    try {
      Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import torch").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      ok = p.waitFor() == 0;
    } catch (java.io.IOException e) {
      ok = false;
    }
    Assume.assumeTrue("TorchComparisonTest skipped: /usr/bin/python3 cannot import torch (run "
        + "infra/dev/install-test-deps.sh)", ok);
  }

  @Test
  public void trainAndEmbedRunInterleavedOnModelsOfTheSameSize() throws Exception {
    assumeTorch();
    for (TorchComparison.Workload w : TorchComparison.Workload.values()) {
      ByteArrayOutputStream buffer = new ByteArrayOutputStream();
      TorchComparison.Result r = TorchComparison.run(CommandLine.parse(TINY, TorchBenchOptions.class), w,
          new PrintStream(buffer, true, StandardCharsets.UTF_8));
      String out = buffer.toString(StandardCharsets.UTF_8);
      assertEquals(out, r.djlParameters(), r.torchParameters());
      assertEquals(2, r.djlSeconds().length);
      assertTrue(out, r.ratio() > 0 && Double.isFinite(r.ratio()));
      assertThat(out, containsString("round 1 (warm-up)"));
      assertThat(out, containsString("bench " + w.command + " --against=pytorch: DJL "));
      assertThat(out, containsString("DJL/PyTorch = "));
    }
  }

  @Test
  public void badFlagsAreNamed() {
    assertThat(assertThrows(IllegalArgumentException.class, () -> Symmim.run(new String[] {"bench", "train"}))
        .getMessage(), containsString("--against is required"));
    assertThat(assertThrows(IllegalArgumentException.class, () -> Symmim.run(new String[] {"bench", "train",
        "--against=tensorflow"})).getMessage(), containsString("--against=tensorflow: must be pytorch"));
    assertThat(assertThrows(IllegalArgumentException.class, () -> Symmim.run(new String[] {"bench", "embed",
        "--against=pytorch", "--imageSize=20"})).getMessage(), containsString("--imageSize=20: must give an even"));
  }
}
