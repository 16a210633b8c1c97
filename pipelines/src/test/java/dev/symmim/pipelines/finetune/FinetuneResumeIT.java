package dev.symmim.pipelines.finetune;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.symmim.pipelines.SymmimProcess;
import dev.symmim.pipelines.reliability.FaultRow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code bin/symmim finetune} through the real CLI on embedded Flink: a run SIGKILLed at a random
 * step and re-run with the same command ends with byte-identical parameters, moments and state, and
 * the same val accuracy, as an uninterrupted run (CPU, --deterministic=true, random init of a dim-32
 * depth-2 ViT, 20% of the shipped subset's labels).
 */
public class FinetuneResumeIT {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();
  static Path data;
  static final int STEPS = 62; // 1000 labelled images / batch 32 = 31 per epoch, 2 epochs

  @BeforeClass
  public static void prepare() throws Exception {
    data = TMP.newFolder("fmnist").toPath();
    SymmimProcess.run(Map.of(), "prepare",
        "--input=" + SymmimProcess.repo().resolve("data/fashion-mnist-subset"), "--output=" + data);
  }

  static List<String> args(Path run) {
    return List.of("finetune", "--data=" + data, "--output=" + run, "--init=random", "--dim=32", "--depth=2",
        "--heads=2", "--labelFraction=0.2", "--batchSize=32", "--epochs=2", "--checkpointEverySteps=5",
        "--evalEveryEpochs=1", "--device=cpu", "--deterministic", "--seed=3", "--loaderThreads=2");
  }

  static Path finalCheckpoint(Path run) throws Exception {
    return run.resolve("checkpoints").resolve(Files.readString(run.resolve("checkpoints/LATEST")).trim());
  }

  @Test
  public void resumeAfterSigkillGivesByteIdenticalParametersAndAccuracy() throws Exception {
    Path full = TMP.newFolder("full").toPath();
    String log = SymmimProcess.run(Map.of(), args(full).toArray(new String[0]));
    assertTrue(log, log.contains("finetune: done: " + STEPS + " steps, 0 rollbacks"));
    assertTrue(log, log.contains("finetune: val top-1 "));

    Path cut = TMP.newFolder("cut").toPath();
    long seed = System.nanoTime();
    int killAfter = 3 + new Random(seed).nextInt(STEPS - 15);
    Path killedLog = TMP.newFile("killed.log").toPath();
    Process p = SymmimProcess.start(killedLog, args(cut));
    Path metrics = cut.resolve("metrics.jsonl");
    SymmimProcess.awaitLines(p, metrics, killAfter, killedLog);
    p.destroyForcibly(); // SIGKILL (bin/symmim execs java)
    p.waitFor();
    String before = Files.readString(cut.resolve("checkpoints/LATEST")).trim();
    System.out.println("FinetuneResumeIT: seed " + seed + ", SIGKILL after " + Files.readAllLines(metrics).size()
        + " metrics lines (target " + killAfter + "), latest checkpoint " + before);
    assertTrue("the run finished before the kill (" + before + ")", !before.equals("step-000000" + STEPS));

    String resumed = SymmimProcess.run(Map.of(), args(cut).toArray(new String[0]));
    assertTrue(resumed, resumed.contains("finetune: resuming from"));
    Path a = finalCheckpoint(full);
    Path b = finalCheckpoint(cut);
    assertEquals(a.getFileName(), b.getFileName());
    for (String f : List.of("tensors.bin", "state.json", "config.json", "position.json")) {
      assertArrayEquals(f + " differs after resume", Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)));
    }
    ObjectMapper json = new ObjectMapper();
    JsonNode ra = json.readTree(full.resolve("metrics.json").toFile());
    JsonNode rb = json.readTree(cut.resolve("metrics.json").toFile());
    assertEquals(ra.get("top1").asDouble(), rb.get("top1").asDouble(), 0);
    assertEquals(1000, ra.get("labelled").asInt());
    assertEquals(1000, json.readTree(cut.resolve("run.json").toFile()).get("labelledIds").size());
    assertEquals(Files.readAllLines(full.resolve("metrics.jsonl")), stripTimes(Files.readAllLines(cut.resolve("metrics.jsonl")),
        Files.readAllLines(full.resolve("metrics.jsonl"))));
    FaultRow.record("sigkill-finetune", "`finetune` killed (SIGKILL) mid-run",
        "SIGKILL at a random step (" + killAfter + " of " + STEPS + "); the same command run again",
        "`finetune: resuming from ...`, then the usual summary (exit 0)",
        "nothing committed: parameters, optimizer state, metrics.jsonl and val top-1 identical to an uninterrupted run",
        "FinetuneResumeIT.resumeAfterSigkillGivesByteIdenticalParametersAndAccuracy");
  }

  /** The lines of {@code cut} with the full run's time and speed fields, which no resume can reproduce. */
  static List<String> stripTimes(List<String> cut, List<String> full) throws Exception {
    ObjectMapper json = new ObjectMapper();
    assertEquals(full.size(), cut.size());
    List<String> out = new ArrayList<>();
    for (int i = 0; i < cut.size(); i++) {
      var c = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(cut.get(i));
      JsonNode f = json.readTree(full.get(i));
      for (String field : List.of("stepSeconds", "imagesPerSecond", "time")) {
        c.set(field, f.get(field));
      }
      out.add(json.writeValueAsString(c));
    }
    return out;
  }
}
