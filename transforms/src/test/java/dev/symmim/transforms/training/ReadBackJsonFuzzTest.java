package dev.symmim.transforms.training;

import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.core.JacksonException;
import dev.symmim.model.checkpoint.Checkpoint;
import dev.symmim.model.checkpoint.TrainingState;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.model.finetune.FineTuneConfig;
import dev.symmim.model.finetune.FineTuneState;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.embed.EmbeddingsManifest;
import dev.symmim.transforms.finetune.FinetuneCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Fuzzes every JSON file the project reads back (a prepared dataset's and an embeddings
 * directory's manifest.json, a run's run.json, a pretraining or fine-tuning checkpoint's config.json,
 * state.json, position.json and checksums.json) with truncations, invalid UTF-8 and structural edits of the
 * files our own writers produce. Each case must be accepted (and then usable) or refused with an
 * IOException or IllegalArgumentException whose one-line message names the file: never a raw
 * Jackson/Gson exception, NPE or ClassCastException. Seeded; the counts are printed for
 * docs/fuzzing.md.
 */
public class ReadBackJsonFuzzTest {
  static final long SEED = 18;
  static final int CASES_PER_FILE = 320;

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private Path dataset;
  private Path embeddings;
  private Path run;
  private Path checkpoints;
  private Path checkpoint;
  private Path finetuneCheckpoint;

  /** A file to damage and what reading it back means: returns how the file was taken unless it was refused. */
  private record Target(String name, Path file, Reader reader) {}

  private interface Reader {
    String readAndUse() throws Exception;
  }

  @Before
  public void writeRealFiles() throws Exception {
    dataset = tmp.newFolder("dataset").toPath();
    DatasetManifest.Shard shard = new DatasetManifest.Shard("train/train-00000-of-00001.avro", 5, 2048,
        "9f2c4e0d1b3a5c7e9f2c4e0d1b3a5c7e9f2c4e0d1b3a5c7e9f2c4e0d1b3a5c7e");
    Map<String, DatasetManifest.Split> splits = new LinkedHashMap<>();
    splits.put("train", new DatasetManifest.Split(5, Map.of("top", 3L, "trouser", 2L), List.of(shard)));
    splits.put("val", new DatasetManifest.Split(0, Map.of(), List.of()));
    new DatasetManifest(13, 7, 1, splits, List.of("top", "trouser"), 16, 1, "raw", new double[] {0.286},
        new double[] {0.353}, DatasetManifest.json().readTree("{\"imageSize\":16,\"seed\":3}"))
        .writeTo(dataset.toString());

    embeddings = tmp.newFolder("embeddings").toPath();
    new EmbeddingsManifest("sha256:0123456789abcdef/online", 64, "online", "/runs/a/checkpoints/step-00000010",
        "/data/prepared", shard.sha256(), 6, 1, Map.of("train", 5L), List.of(new DatasetManifest.Shard(
            "embeddings/part-00000-of-00001.avro", 5, 4096, shard.sha256())),
        List.of("vertex/part-00000-of-00001.json"), "vertex-index-metadata.json", List.of("top", "trouser"),
        DatasetManifest.json().readTree("{\"batchSize\":256}"))
        .writeTo(embeddings.toString());

    run = tmp.newFolder("run").toPath();
    Files.writeString(run.resolve(TrainingLoop.RUN_FILE), "{\n  \"info\" : {\"command\" : \"symmim pretrain\"},\n"
        + "  \"dataDir\" : \"/data/prepared\",\n  \"trainImages\" : 5,\n  \"epochs\" : 2,\n  \"totalSteps\" : 10\n}\n");
    checkpoints = run.resolve("checkpoints");
    Checkpoint c = new Checkpoint(PretrainConfig.tiny(), new TrainingState(10, 0, 10, 42L), Map.of());
    checkpoint = new LocalCheckpointStore(checkpoints, 3).commit(c::save, new CheckpointStore.Position(640, 10, 0));

    finetuneCheckpoint = tmp.newFolder("finetune-step").toPath();
    FinetuneCheckpoint.save(new FineTuneState(FineTuneConfig.builder(PretrainConfig.tiny().encoder(), 2).build(),
        new TrainingState(4, 0, 4, 7L), Map.of()), finetuneCheckpoint);
  }

  @Test
  public void everyDamagedJsonFileIsAcceptedOrRefusedNamingTheFile() throws Exception {
    List<Target> targets = List.of(
        new Target("dataset manifest.json", dataset.resolve(DatasetManifest.FILE_NAME), () -> {
          DatasetManifest m = DatasetManifest.readFrom(dataset.toString());
          m.reconciles();
          m.splits().values().forEach(s -> s.shards().forEach(sh -> sh.path().length()));
          return "accepted";
        }),
        new Target("embeddings manifest.json", embeddings.resolve(EmbeddingsManifest.FILE_NAME), () -> {
          EmbeddingsManifest m = EmbeddingsManifest.readFrom(embeddings.toString());
          m.reconciles();
          m.shards().forEach(sh -> sh.path().length());
          return "accepted";
        }),
        new Target("run.json", run.resolve(TrainingLoop.RUN_FILE),
            () -> Checkpoints.trainingData(checkpoint.toString()) == null ? "accepted, dataDir unknown" : "accepted"),
        new Target("checkpoint config.json", checkpoint.resolve(Checkpoint.CONFIG_FILE),
            () -> Checkpoint.load(checkpoint).config().toJson().isEmpty() ? "empty" : "accepted"),
        new Target("fine-tune config.json", finetuneCheckpoint.resolve(Checkpoint.CONFIG_FILE),
            () -> FinetuneCheckpoint.load(finetuneCheckpoint).config().toJson().isEmpty() ? "empty" : "accepted"),
        new Target("checkpoint state.json", checkpoint.resolve(Checkpoint.STATE_FILE),
            () -> Checkpoint.load(checkpoint).state().step() >= 0 ? "accepted" : "accepted, negative step"),
        new Target("checkpoint position.json", checkpoint.resolve(CheckpointStore.POSITION_FILE),
            this::latestCheckpoint),
        new Target("checkpoint checksums.json", checkpoint.resolve(CheckpointIntegrity.FILE),
            this::latestCheckpoint));

    List<String> problems = new ArrayList<>();
    StringBuilder table = new StringBuilder("read-back JSON fuzz: seed " + SEED + "\n");
    int cases = 0;
    for (Target target : targets) {
      byte[] original = Files.readAllBytes(target.file());
      String fileName = target.file().getFileName().toString();
      Map<String, Integer> reasons = new TreeMap<>();
      Map<String, Integer> taken = new TreeMap<>();
      for (int i = 0; i < CASES_PER_FILE; i++) {
        JsonMutator.Mutation m = JsonMutator.mutate(original, SEED, i);
        Files.write(target.file(), m.bytes());
        cases++;
        try {
          taken.merge(target.reader().readAndUse(), 1, Integer::sum);
        } catch (Exception | StackOverflowError e) {
          String problem = refusalProblem(e, fileName);
          if (problem == null) {
            reasons.merge(reason(e, fileName), 1, Integer::sum);
          } else {
            problems.add(target.name() + " seed " + SEED + " case " + i + " (" + m.kind() + ": " + m.detail()
                + "): " + problem);
          }
        }
      }
      Files.write(target.file(), original);
      table.append(String.format("  %-26s %4d cases %4d refused%n", target.name(), CASES_PER_FILE,
          reasons.values().stream().mapToInt(Integer::intValue).sum()));
      taken.forEach((k, v) -> table.append(String.format("      %-56s %4d%n", k, v)));
      reasons.forEach((k, v) -> table.append(String.format("      refused: %-47s %4d%n", k, v)));
    }
    System.out.print(table);
    assertTrue(problems.size() + " of " + cases + " cases refused unclearly or crashed:\n"
        + String.join("\n", problems.subList(0, Math.min(40, problems.size()))), problems.isEmpty());
  }

  /** Resuming: the checkpoint is used, or skipped with a warning naming the damaged file (then none is left). */
  private String latestCheckpoint() throws IOException {
    return new LocalCheckpointStore(checkpoints, 3).latest().isPresent() ? "accepted" : "skipped with a warning";
  }

  /** Null for a clear refusal: the project's exception, one line, naming the file; else what is wrong. */
  static String refusalProblem(Throwable e, String fileName) {
    if (!(e instanceof IOException || e instanceof IllegalArgumentException) || e instanceof JacksonException) {
      return "raw " + e;
    }
    String message = e.getMessage();
    if (message == null || !message.contains(fileName)) {
      return "message does not name " + fileName + ": " + e;
    }
    if (message.contains("\n")) {
      return "message of several lines: " + e;
    }
    return null;
  }

  /**
   * A refusal's reason for the counts: the exception and the innermost cause's type, or for a
   * refusal of our own the start of what it says after the file name.
   */
  static String reason(Throwable e, String fileName) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root != e) {
      return e.getClass().getSimpleName() + " <- " + root.getClass().getSimpleName();
    }
    String said = e.getMessage().substring(e.getMessage().indexOf(fileName) + fileName.length()).replaceFirst("^: ", "");
    return e.getClass().getSimpleName() + ": " + (said.contains(":") ? said.substring(0, said.indexOf(':')) : said);
  }
}
