package dev.symmim.pipelines.workflows;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.symmim.pipelines.SymmimProcess;
import dev.symmim.transforms.evaluate.BenchmarkResult;
import dev.symmim.transforms.evaluate.MetricsJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code bin/symmim benchmark} end to end on the shipped subset with a tiny model and budget: it is
 * SIGKILLed in the middle of its fine-tuning runs, re-run with the same command, reuses what finished,
 * and writes a complete benchmark.json (every fraction x arm x seed; the compute-matched arm with
 * more epochs than scratch) and benchmark.html with its plot.
 */
public class BenchmarkIT {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();
  static Path data;

  @BeforeClass
  public static void prepare() throws Exception {
    data = TMP.newFolder("fmnist").toPath();
    SymmimProcess.run(Map.of(), "prepare",
        "--input=" + SymmimProcess.repo().resolve("data/fashion-mnist-subset"), "--output=" + data);
  }

  static List<String> args(Path out) {
    return List.of("benchmark", "--data=" + data, "--output=" + out, "--dim=32", "--depth=2", "--heads=2",
        "--headHidden=64", "--headOut=32", "--epochs=1", "--maxImages=1024", "--lr=2e-3", "--threads=1",
        "--labelFractions=0.05,0.2", "--finetuneEpochs=2,1", "--seeds=2", "--matchedSeeds=1", "--baselines=false",
        "--probeEpochs=2", "--readouts=grid2");
  }

  @Test
  public void anInterruptedBenchmarkResumesAndReportsEveryRun() throws Exception {
    Path out = TMP.newFolder("bench").toPath();
    Path log = TMP.newFile("killed.log").toPath();
    Process p = SymmimProcess.start(log, args(out));
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(6);
    while (p.isAlive() && !Files.readString(log).contains("benchmark: [4/10]")) {
      assertTrue("no progress before the deadline:\n" + Files.readString(log), System.nanoTime() < deadline);
      Thread.sleep(50); // polling a file another process writes; not a timing assumption
    }
    p.destroyForcibly(); // SIGKILL (bin/symmim execs java)
    p.waitFor();
    assertTrue(Files.readString(log), Files.readString(log).contains("benchmark: [4/10]"));

    String resumed = SymmimProcess.run(Map.of(), args(out).toArray(new String[0]));
    assertTrue(resumed, resumed.contains("frozen evaluation done earlier"));
    assertTrue(resumed, resumed.contains("[1/10] symmim-5pct-seed0: done earlier, reused"));
    assertTrue(resumed, resumed.contains("[3/10] symmim-5pct-seed1: done earlier, reused"));

    BenchmarkResult r = MetricsJson.read(Files.readAllBytes(out.resolve("benchmark.json")), BenchmarkResult.class);
    assertEquals(10, r.runs().size()); // 2 fractions x (2 seeds x symmim, scratch + 1 matched)
    assertEquals(6, r.summary().size());
    for (BenchmarkResult.Run run : r.runs()) {
      assertTrue(run.toString(), run.top1() > 0 && run.top1() <= 1 && run.valQueries() == 1000);
    }
    BenchmarkResult.Run matched = r.runs().stream().filter(x -> x.arm().equals("matched")).findFirst().orElseThrow();
    BenchmarkResult.Run scratch = r.runs().stream().filter(x -> x.arm().equals("scratch")).findFirst().orElseThrow();
    assertTrue("compute-matched epochs " + matched.epochs(), matched.epochs() > scratch.epochs());
    assertTrue(r.frozen().sets().containsKey("online:grid2"));
    assertTrue(Files.size(out.resolve("label-efficiency.png")) > 1000);
    assertTrue(Files.readString(out.resolve("benchmark.html")).contains("label-efficiency.png"));
  }
}
