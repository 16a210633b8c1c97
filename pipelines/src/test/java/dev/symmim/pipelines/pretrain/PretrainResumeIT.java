package dev.symmim.pipelines.pretrain;

import dev.symmim.pipelines.SymmimProcess;
import dev.symmim.pipelines.reliability.FaultRow;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code bin/symmim pretrain} through the real CLI on embedded Flink: a run SIGKILLed at a random
 * step and re-run with the same command ends with byte-identical parameters, optimizer moments and
 * state to an uninterrupted run (CPU, --deterministic=true, a dim-32 depth-2 model, 256 images); a
 * run sent SIGTERM (a preemption notice) commits every step it finished before it exits, and resumes
 * to the same bytes.
 */
public class PretrainResumeIT {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();
  static Path data;
  static final int STEPS = 48; // 256 images / batch 32 = 8 per epoch, 6 epochs

  @BeforeClass
  public static void prepare() throws Exception {
    data = TMP.newFolder("fmnist").toPath();
    SymmimProcess.run(Map.of(), "prepare",
        "--input=" + SymmimProcess.repo().resolve("data/fashion-mnist-subset"), "--output=" + data);
  }

  static List<String> pretrainArgs(Path run) {
    return List.of("pretrain", "--data=" + data, "--output=" + run, "--dim=32", "--depth=2", "--heads=2",
        "--headHidden=64", "--headOut=32", "--maxImages=256", "--batchSize=32", "--epochs=6", "--stages=3",
        "--checkpointEverySteps=4", "--device=cpu", "--deterministic=true", "--seed=11", "--loaderThreads=2");
  }

  static Path finalCheckpoint(Path run) throws Exception {
    String latest = Files.readString(run.resolve("checkpoints/LATEST")).trim();
    return run.resolve("checkpoints").resolve(latest);
  }

  static Path full;

  /** The uninterrupted run the interrupted one must end identical to (run once, on first use). */
  static synchronized Path full() throws Exception {
    if (full == null) {
      Path run = TMP.newFolder("full").toPath();
      String log = SymmimProcess.run(Map.of(), pretrainArgs(run).toArray(new String[0]));
      assertTrue(log, log.contains("pretrain: done: " + STEPS + " steps, 0 rollbacks"));
      assertTrue(log, log.matches("(?s).*pretrain: stage 1/3 epoch 1/6 step 1/48 loss=.* img/s ETA .*"));
      assertEquals("step-000000" + STEPS, finalCheckpoint(run).getFileName().toString());
      full = run;
    }
    return full;
  }

  /** Starts {@code bin/symmim pretrain} into {@code run} and waits until it has logged {@code lines} steps. */
  static Process startAndWait(Path run, int lines, Path log) throws Exception {
    Process p = SymmimProcess.start(log, pretrainArgs(run));
    SymmimProcess.awaitLines(p, run.resolve("metrics.jsonl"), lines, log);
    return p;
  }

  @Test
  public void sigtermCommitsEveryFinishedStepAndSigkillLosesOnlyTheUncommittedOnes() throws Exception {
    Path cut = TMP.newFolder("cut").toPath();
    Path metrics = cut.resolve("metrics.jsonl");
    // 1. SIGTERM, as a preemption notice sends: every finished step is committed before the exit.
    Path termLog = TMP.newFile("term.log").toPath();
    Process p = startAndWait(cut, 5, termLog);
    p.destroy();
    assertEquals(Files.readString(termLog), 143, p.waitFor());
    String out = Files.readString(termLog);
    assertTrue(out, out.contains("pretrain: stopped by a preemption notice (SIGTERM) after batch "));
    int done = Files.readAllLines(metrics).size();
    String latest = Files.readString(cut.resolve("checkpoints/LATEST")).trim();
    System.out.println("PretrainResumeIT: SIGTERM after " + done + " steps, latest checkpoint " + latest);
    assertTrue(out, done < STEPS - 12);
    assertEquals("every finished step is in the checkpoint", String.format("step-%08d", done), latest);

    // 2. The same command resumes; SIGKILL (no notice) at a random later step.
    long seed = System.nanoTime();
    int killAfter = done + 2 + new Random(seed).nextInt(STEPS - 10 - done);
    p = startAndWait(cut, killAfter, TMP.newFile("killed.log").toPath());
    p.destroyForcibly(); // SIGKILL (bin/symmim execs java)
    p.waitFor();
    String before = Files.readString(cut.resolve("checkpoints/LATEST")).trim();
    System.out.println("PretrainResumeIT: seed " + seed + ", SIGKILL after " + Files.readAllLines(metrics).size()
        + " metrics lines (target " + killAfter + "), latest checkpoint " + before);
    assertTrue("the run finished before the kill (" + before + ")", !before.equals("step-000000" + STEPS));

    // 3. The same command again ends with the uninterrupted run's bytes.
    resumeAndCompare(cut);
    String test = "PretrainResumeIT.sigtermCommitsEveryFinishedStepAndSigkillLosesOnlyTheUncommittedOnes";
    FaultRow.record("sigterm-pretrain", "`pretrain` sent SIGTERM (a preemption notice) mid-run",
        "SIGTERM after " + done + " of " + STEPS + " steps", "`pretrain: stopped by a preemption notice (SIGTERM) after "
            + "batch ...` (exit 143); the checkpoint holds every finished step",
        "nothing: LATEST = step " + done + "; the re-run ends byte-identical to an uninterrupted run", test);
    FaultRow.record("sigkill-pretrain", "`pretrain` killed (SIGKILL) mid-run",
        "SIGKILL at a random later step (" + killAfter + "); the same command run again",
        "`pretrain: resuming from ...` (exit 0)",
        "only uncommitted steps, redone: parameters, optimizer moments, state and losses identical to an "
            + "uninterrupted run", test);
  }

  /** Re-runs the same command in {@code cut} and checks it ends with the uninterrupted run's bytes. */
  static void resumeAndCompare(Path cut) throws Exception {
    Path a = finalCheckpoint(full());
    Path metrics = cut.resolve("metrics.jsonl");
    String resumed = SymmimProcess.run(Map.of(), pretrainArgs(cut).toArray(new String[0]));
    assertTrue(resumed, resumed.contains("pretrain: resuming from"));
    Path b = finalCheckpoint(cut);
    assertEquals(a.getFileName(), b.getFileName());
    for (String f : List.of("tensors.bin", "state.json", "config.json", "position.json")) {
      assertArrayEquals(f + " differs after resume", Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)));
    }
    List<String> lines = Files.readAllLines(metrics);
    assertEquals(STEPS, lines.size());
    ObjectMapper json = new ObjectMapper();
    for (int i = 0; i < STEPS; i++) {
      JsonNode r = json.readTree(lines.get(i));
      assertEquals(i, r.get("batch").asInt());
      assertEquals(json.readTree(Files.readAllLines(full().resolve("metrics.jsonl")).get(i)).get("loss").asDouble(),
          r.get("loss").asDouble(), 0.0);
    }
    JsonNode run = json.readTree(full().resolve("run.json").toFile());
    assertEquals(64, run.get("manifestSha256").asText().length());
    assertTrue(run.get("info").get("gitCommit").asText().length() >= 40);
  }
}
