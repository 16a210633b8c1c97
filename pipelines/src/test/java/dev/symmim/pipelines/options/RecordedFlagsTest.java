package dev.symmim.pipelines.options;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.symmim.pipelines.evaluate.EvaluateOptions;
import dev.symmim.pipelines.pretrain.PretrainOptions;
import dev.symmim.pipelines.workflows.BenchmarkOptions;
import dev.symmim.transforms.evaluate.BenchmarkResult;
import dev.symmim.testing.gcs.GcsServer;
import dev.symmim.transforms.evaluate.MetricsJson;
import dev.symmim.transforms.io.Locations;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptions;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@code --config=<file>}: recorded flags are the defaults, the command line overrides them, bad files are refused. */
public class RecordedFlagsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  /** A pretrain run.json as PretrainPipeline writes it: the flags under "info". */
  private static JsonNode pretrainRun(Map<String, Object> flags) {
    return JSON.valueToTree(Map.of("config", Map.of("steps", 10),
        "info", Map.of("command", "symmim pretrain", "codeVersion", "eca1002", "flags", flags)));
  }

  private static PretrainOptions pretrain(JsonNode record, String... args) {
    List<String> merged = RecordedFlags.merge("pretrain", "run.json", record, List.of(args), PretrainOptions.class);
    return CommandLine.parse(merged.toArray(new String[0]), PretrainOptions.class);
  }

  @Test
  public void theRecordedFlagsBecomeTheFlags() {
    PretrainOptions o = pretrain(pretrainRun(Map.of("data", "/d", "output", "/run", "batchSize", 32, "lr", 1.5e-3,
        "mask", "block", "deterministic", true)));
    assertEquals("/d", o.getData());
    assertEquals("/run", o.getOutput());
    assertEquals(32, o.getBatchSize());
    assertEquals(1.5e-3, o.getLr(), 0);
    assertEquals(MaskFlag.block, o.getMask());
    assertEquals(true, o.getDeterministic());
  }

  @Test
  public void aFlagOnTheCommandLineOverridesTheRecordedOne() {
    PretrainOptions o = pretrain(pretrainRun(Map.of("data", "/d", "output", "/run", "batchSize", 32, "epochs", 5)),
        "--output=/replay", "--batchSize=16");
    assertEquals("/replay", o.getOutput());
    assertEquals(16, o.getBatchSize());
    assertEquals(5, o.getEpochs());
    assertEquals("/d", o.getData());
  }

  @Test
  public void aDeprecatedNameOnTheCommandLineOverridesTooAndARecordedOldNameStillCounts() {
    PretrainOptions o = pretrain(pretrainRun(Map.of("contrastiveTemperature", 0.5)), "--temperature=0.3");
    assertEquals(0.3, o.getContrastiveTemperature(), 0);
    assertEquals(0.4, pretrain(pretrainRun(Map.of("temperature", 0.4))).getContrastiveTemperature(), 0);
  }

  @Test
  public void aBooleanFlagAloneOverridesARecordedFalse() {
    assertEquals(true, pretrain(pretrainRun(Map.of("deterministic", false)), "--deterministic").getDeterministic());
  }

  @Test
  public void aRecordedNullKeepsTheDefault() {
    java.util.HashMap<String, Object> flags = new java.util.HashMap<>();
    flags.put("mask", null);
    flags.put("epochs", 3);
    PretrainOptions o = pretrain(pretrainRun(flags));
    assertEquals(MaskFlag.symmetric, o.getMask());
    assertEquals(3, o.getEpochs());
  }

  @Test
  public void unknownRecordedFlagsAreLeftOutWithOneWarningNamingThem() {
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true));
    PretrainOptions o;
    try {
      o = pretrain(pretrainRun(Map.of("epochs", 4, "oldFlag", 1, "retiredToo", "x")));
    } finally {
      System.setErr(err);
    }
    assertEquals(4, o.getEpochs());
    String warning = captured.toString().strip();
    assertEquals(1, warning.lines().count());
    assertThat(warning, containsString("symmim: warning: --config=run.json: ignoring recorded flags"));
    assertThat(warning, containsString("--oldFlag"));
    assertThat(warning, containsString("--retiredToo"));
  }

  @Test
  public void aRecordedValueTheFlagNoLongerTakesIsRefusedUnlessOverridden() {
    JsonNode run = pretrainRun(Map.of("mask", "diagonal"));
    assertThat(assertThrows(IllegalArgumentException.class, () -> pretrain(run)).getMessage(),
        containsString("--config=run.json: the recorded --mask=diagonal: must be one of"));
    assertEquals(MaskFlag.random, pretrain(run, "--mask=random").getMask());
  }

  @Test
  public void anotherCommandsRecordIsRefusedNamingBoth() {
    String msg = assertThrows(IllegalArgumentException.class, () -> RecordedFlags.merge("finetune", "run.json",
        pretrainRun(Map.of("epochs", 4)), List.of(), dev.symmim.pipelines.finetune.FinetuneOptions.class)).getMessage();
    assertEquals("--config=run.json: was recorded by 'symmim pretrain', not 'symmim finetune'; replay it with "
        + "'symmim pretrain --config=run.json'", msg);
  }

  @Test
  public void anEvaluateMetricsJsonReplaysItsTopLevelFlags() {
    JsonNode metrics = JSON.valueToTree(Map.of("command", "symmim evaluate", "flags",
        Map.of("embeddings", "/e", "output", "/ev", "k", 50, "knnTemperature", 0.1)));
    List<String> merged = RecordedFlags.merge("evaluate", "metrics.json", metrics, List.of("--temperature=0.2"),
        EvaluateOptions.class);
    EvaluateOptions o = CommandLine.parse(merged.toArray(new String[0]), EvaluateOptions.class);
    assertEquals(50, o.getK());
    assertEquals(0.2, o.getKnnTemperature(), 0);
    assertEquals("/e", o.getEmbeddings());
  }

  @Test
  public void aBenchmarkJsonReplaysTheBenchmarksFlags() throws Exception {
    Map<String, Object> flags = Map.of("data", "/d", "output", "/b", "seeds", 2, "epochs", 4);
    BenchmarkResult written = new BenchmarkResult("symmim benchmark", flags, "eca1002", "protocol", "/d", null, null,
        List.of(), List.of());
    List<String> merged = RecordedFlags.merge("benchmark", "benchmark.json", JSON.readTree(MetricsJson.write(written)),
        List.of("--output=/b2"), BenchmarkOptions.class);
    BenchmarkOptions o = CommandLine.parse(merged.toArray(new String[0]), BenchmarkOptions.class);
    assertEquals(2, o.getSeeds());
    assertEquals(4, o.getEpochs());
    assertEquals("/b2", o.getOutput());
  }

  @Test
  public void aFileWithoutFlagsOrCommandIsRefused() {
    assertThat(assertThrows(IllegalArgumentException.class, () -> RecordedFlags.merge("pretrain", "x.json",
        JSON.valueToTree(Map.of("modelId", "m")), List.of(), PretrainOptions.class)).getMessage(),
        containsString("--config=x.json: records no flags"));
    assertThat(assertThrows(IllegalArgumentException.class, () -> RecordedFlags.merge("pretrain", "x.json",
        JSON.valueToTree(Map.of("flags", Map.of("epochs", 1))), List.of(), PretrainOptions.class)).getMessage(),
        containsString("--config=x.json: records flags but not the command that wrote them"));
  }

  @Test
  public void aMissingFileADirectoryAndNonJsonAreRefusedNamingThePath() throws Exception {
    String missing = tmp.getRoot().toPath().resolve("no-such.json").toString();
    assertEquals("--config=" + missing + ": no such file", assertThrows(IllegalArgumentException.class, () ->
        RecordedFlags.apply("pretrain", new String[] {"--config=" + missing}, PretrainOptions.class)).getMessage());
    String dir = tmp.newFolder("run").toString();
    assertThat(assertThrows(IllegalArgumentException.class,
        () -> RecordedFlags.apply("pretrain", new String[] {"--config=" + dir}, PretrainOptions.class)).getMessage(),
        containsString("--config=" + dir + ": is a directory"));
    Path text = tmp.newFile("run.json").toPath();
    Files.writeString(text, "epochs: 3\n");
    assertThat(assertThrows(IllegalArgumentException.class,
        () -> RecordedFlags.apply("pretrain", new String[] {"--config=" + text}, PretrainOptions.class)).getMessage(),
        containsString("--config=" + text + ": not JSON"));
    Files.writeString(text, "");
    assertEquals("--config=" + text + ": is empty", assertThrows(IllegalArgumentException.class,
        () -> RecordedFlags.apply("pretrain", new String[] {"--config=" + text}, PretrainOptions.class)).getMessage());
  }

  @Test
  public void aReadRecordPutsItsFlagsBeforeTheCommandLine() throws Exception {
    Path file = tmp.newFile("run.json").toPath();
    Files.writeString(file, pretrainRun(Map.of("epochs", 4)).toString());
    assertArrayEquals(new String[] {"--epochs=4", "--batchSize=8"},
        RecordedFlags.apply("pretrain", new String[] {"--config=" + file, "--batchSize=8"}, PretrainOptions.class));
  }

  @Test
  public void aRecordOnGcsIsReadThroughTheGcsEndpointFlag() throws Exception {
    try (GcsServer gcs = GcsServer.start(0)) {
      String endpoint = "--gcsEndpoint=" + gcs.endpoint();
      FileSystems.setDefaultPipelineOptions(CommandLine.parse(new String[] {endpoint}, PipelineOptions.class));
      Locations.write("gs://replay-test/run/run.json", pretrainRun(Map.of("epochs", 4)).toString()
          .getBytes(StandardCharsets.UTF_8));
      assertArrayEquals(new String[] {"--epochs=4", endpoint}, RecordedFlags.apply("pretrain",
          new String[] {"--config=gs://replay-test/run/run.json", endpoint}, PretrainOptions.class));
      assertEquals("--config=gs://replay-test/none.json: no such file", assertThrows(IllegalArgumentException.class,
          () -> RecordedFlags.apply("pretrain", new String[] {"--config=gs://replay-test/none.json", endpoint},
              PretrainOptions.class)).getMessage());
    }
  }

  @Test
  public void withoutConfigTheArgumentsAreUnchangedAndTwoConfigsAreRefused() throws Exception {
    String[] args = {"--epochs=4"};
    assertArrayEquals(args, RecordedFlags.apply("pretrain", args, PretrainOptions.class));
    assertThat(assertThrows(IllegalArgumentException.class, () -> RecordedFlags.apply("pretrain",
        new String[] {"--config=a.json", "--config=b.json"}, PretrainOptions.class)).getMessage(),
        containsString("--config=b.json: is given twice"));
  }
}
