package dev.symmim.pipelines;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.services.dataflow.model.DataflowPackage;
import dev.symmim.pipelines.flex.FlexTemplate;
import dev.symmim.pipelines.flex.PrepareTemplate;
import dev.symmim.pipelines.options.CommandLine;
import dev.symmim.pipelines.options.OptionDocs;
import dev.symmim.pipelines.runner.Jobs;
import dev.symmim.pipelines.runner.LocalGcsCredentials;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.beam.runners.dataflow.util.PackageUtil;
import org.apache.beam.runners.dataflow.util.Stager;
import org.apache.beam.sdk.extensions.gcp.storage.NoopPathValidator;
import org.apache.beam.sdk.options.PipelineOptions;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The Flex Templates: the committed metadata (infra/dataflow/metadata) matches the options it is
 * generated from and says what the CLI says (every parameter is a flag of its stage, parsed by the
 * stage's options; required flags are not optional; enum flags accept exactly their values), and each
 * stage's entry point takes what the launcher passes (only {@code --name=value}: its Dataflow options
 * and the parameters) and runs the stage: without the stage's flags it stops at the stage's own
 * validation, and with them it writes the job to the launcher's {@code --templateLocation} and returns.
 * With {@code -Dsymmim.writeMetadata=true} it rewrites the metadata files instead of failing on them.
 */
public class FlexTemplateMetadataTest {
  static final Path DIR = SymmimProcess.repo().resolve("infra/dataflow/metadata");
  static final String REGENERATE = "; regenerate: mvn -o test -pl pipelines -Dtest=FlexTemplateMetadataTest "
      + "-Dsymmim.writeMetadata=true";

  /**
   * What the Flex Template launcher gives a Java main class besides the template's parameters: the
   * Dataflow options of `gcloud dataflow flex-template run` (job name, project, region, staging and
   * temp locations, service account, workers, network, labels, experiments, additional pipeline
   * options) and the location to write the job to.
   */
  static final List<String> LAUNCHER_FLAGS = List.of("--runner=DataflowRunner", "--project=my-project",
      "--region=us-central1", "--jobName=symmim-flex-test", "--labels={\"goog-dataflow-provided-template-type\":\"flex\"}",
      "--stagingLocation=gs://my-bucket/staging", "--tempLocation=gs://my-bucket/tmp",
      "--gcpTempLocation=gs://my-bucket/tmp", "--serviceAccount=symmim@my-project.iam.gserviceaccount.com",
      "--numWorkers=1", "--maxNumWorkers=4", "--workerMachineType=g2-standard-8", "--network=default",
      "--subnetwork=regions/us-central1/subnetworks/default", "--usePublicIps=false", "--workerRegion=us-central1",
      "--experiments=use_runner_v2", "--sdkContainerImage=us-central1-docker.pkg.dev/my-project/symmim/worker:test",
      "--dataflowServiceOptions=worker_accelerator=type:nvidia-l4;count:1;install-nvidia-driver",
      "--templateLocation=gs://my-bucket/staging/template_launches/2026-01-01_00_00_00-1/job_object");

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void committedMetadataIsCurrent() throws Exception {
    if (Boolean.getBoolean("symmim.writeMetadata")) {
      FlexTemplateMetadata.writeAll(DIR);
    }
    for (String command : FlexTemplateMetadata.COMMANDS.keySet()) {
      Path file = DIR.resolve(command + ".json");
      assertTrue(file + " is missing" + REGENERATE, Files.exists(file));
      assertEquals(file + " is stale" + REGENERATE, FlexTemplateMetadata.metadata(command),
          Files.readString(file, StandardCharsets.UTF_8));
    }
    try (var files = Files.list(DIR)) {
      assertEquals("one metadata file per entry point", FlexTemplate.ENTRY_POINTS.keySet().stream()
          .map(c -> c + ".json").collect(Collectors.toCollection(TreeSet::new)),
          files.map(f -> f.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new)));
    }
  }

  @Test
  public void requiredFlagsAndEnumsAreDescribed() throws Exception {
    JsonNode prepare = new ObjectMapper().readTree(FlexTemplateMetadata.metadata("prepare"));
    assertEquals("symmim prepare", prepare.path("name").asText());
    boolean sawInput = false;
    boolean sawFormat = false;
    for (JsonNode p : prepare.path("parameters")) {
      switch (p.path("name").asText()) {
        case "input" -> {
          sawInput = true;
          assertFalse("--input is required", p.path("isOptional").asBoolean());
        }
        case "format" -> {
          sawFormat = true;
          assertTrue(p.path("isOptional").asBoolean());
          assertEquals("^(auto|folder|idx|cifar)$", p.path("regexes").get(0).asText());
          assertTrue(p.path("helpText").asText(), p.path("helpText").asText().endsWith("Default: auto."));
        }
        case "runner", "tempLocation" -> throw new AssertionError("Beam's own flag listed: " + p);
        default -> { }
      }
    }
    assertTrue(sawInput && sawFormat);
  }

  /**
   * Each template's parameters are exactly its stage's (visible) flags; each one, given as the
   * launcher gives it ({@code --name=value}, a value its regexes accept), is parsed by the stage's
   * options interface into that flag; required flags are not optional, the others are.
   */
  @Test
  public void everyParameterIsAnOptionOfItsStage() throws Exception {
    for (Map.Entry<String, Class<? extends PipelineOptions>> e : FlexTemplateMetadata.COMMANDS.entrySet()) {
      String command = e.getKey();
      Class<? extends PipelineOptions> type = e.getValue();
      assertNotNull(command + " has options", type);
      Map<String, OptionDocs.Flag> flags = OptionDocs.names(type).byName();
      JsonNode metadata = new ObjectMapper().readTree(FlexTemplateMetadata.metadata(command));
      Set<String> names = new TreeSet<>();
      for (JsonNode p : metadata.path("parameters")) {
        String name = p.path("name").asText();
        assertTrue(command + ": parameter " + name + " is listed twice", names.add(name));
        OptionDocs.Flag flag = flags.get(name);
        assertNotNull(command + ": parameter " + name + " is not a flag of " + type.getSimpleName(), flag);
        assertEquals(command + " --" + name + " isOptional", !flag.required(), p.path("isOptional").asBoolean());
        String value = sample(flag);
        for (JsonNode regex : p.path("regexes")) {
          assertTrue(command + " --" + name + "=" + value + " against " + regex, value.matches(regex.asText()));
        }
        PipelineOptions parsed = CommandLine.parse(new String[] {"--" + name + "=" + value}, type);
        Object read = flag.getter().invoke(parsed.as(type));
        assertEquals(command + " --" + name + " read back", value, read instanceof Enum<?> en ? en.name()
            : read instanceof List<?> l ? String.join(",", l.stream().map(String::valueOf).toList()) : String.valueOf(read));
      }
      Set<String> visible = OptionDocs.of(type).stream().filter(f -> !f.hidden()).map(OptionDocs.Flag::name)
          .collect(Collectors.toCollection(TreeSet::new));
      assertEquals(command + ": parameters = the stage's flags", visible, names);
      assertTrue(command + "'s description names its entry point", metadata.path("description").asText()
          .contains(FlexTemplate.ENTRY_POINTS.get(command).getName()));
    }
  }

  /** A value of the flag's type that differs from its default where one is declared. */
  private static String sample(OptionDocs.Flag f) {
    Class<?> t = f.type();
    if (t.isEnum()) {
      Object[] values = t.getEnumConstants();
      return ((Enum<?>) values[values.length - 1]).name();
    }
    if (t == boolean.class || t == Boolean.class) {
      return String.valueOf(!"true".equals(f.defaultValue()));
    }
    if (t == int.class || t == Integer.class || t == long.class || t == Long.class) {
      return "7";
    }
    if (t == double.class || t == Double.class || t == float.class || t == Float.class) {
      return "0.25";
    }
    return "gs://my-bucket/x";
  }

  /**
   * Each stage's entry point, given only what the launcher passes (no command, no stage flags), parses
   * every launcher flag and stops at the stage's own check of its required flags; without --runner it
   * still does (the entry point's runner is Dataflow), and a positional argument is refused in one line.
   */
  @Test
  public void entryPointsTakeTheLauncherFlagsAndReachTheStagesValidation() throws Exception {
    for (Map.Entry<String, Class<?>> e : FlexTemplate.ENTRY_POINTS.entrySet()) {
      String command = e.getKey();
      Class<?> main = e.getValue();
      assertEquals(main.getName() + ".COMMAND", command, main.getField("COMMAND").get(null));
      assertNotNull(main.getName() + " has a main", main.getMethod("main", String[].class));
      Set<String> required = OptionDocs.of(FlexTemplateMetadata.COMMANDS.get(command)).stream()
          .filter(OptionDocs.Flag::required).map(OptionDocs.Flag::name).collect(Collectors.toSet());
      assertFalse(command + " requires flags", required.isEmpty());
      List<String> withoutRunner = LAUNCHER_FLAGS.stream().filter(a -> !a.startsWith("--runner=")).toList();
      for (List<String> args : List.of(LAUNCHER_FLAGS, withoutRunner)) {
        String message = failure(main, args);
        assertTrue(command + " with the launcher's flags: " + message, required.stream()
            .anyMatch(r -> message.startsWith("--" + r + " is required")));
      }
      String positional = failure(main, List.of(command, "--output=gs://my-bucket/out"));
      assertTrue(positional, positional.startsWith("flags are --name=value, got '" + command + "'"));
    }
  }

  /** The IllegalArgumentException's message of {@code main.run(args)}; fails when it returns. */
  private static String failure(Class<?> main, List<String> args) throws Exception {
    Method run = main.getMethod("run", String[].class);
    try {
      Object code = run.invoke(null, (Object) args.toArray(new String[0]));
      throw new AssertionError(main.getSimpleName() + " " + args + " returned " + code);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof IllegalArgumentException iae) {
        return iae.getMessage();
      }
      throw e;
    }
  }

  /**
   * The prepare entry point launched as the launcher launches it (its Dataflow options, a local
   * --templateLocation, nothing reaching Google: a fixed token, a stager that uploads nothing, a path
   * validator that checks nothing) writes the Dataflow job there and returns 0 without waiting for it.
   */
  @Test
  public void prepareEntryPointWritesTheJobForTheLauncher() throws Exception {
    Path job = tmp.getRoot().toPath().resolve("job_object.json");
    Path stage = Files.writeString(tmp.getRoot().toPath().resolve("nothing.jar"), "");
    List<String> args = new ArrayList<>(LAUNCHER_FLAGS.stream().filter(a -> !a.startsWith("--templateLocation=")).toList());
    args.addAll(List.of("--templateLocation=" + job, "--credentialFactoryClass=" + LocalGcsCredentials.class.getName(),
        "--stagerClass=" + NoUpload.class.getName(), "--pathValidatorClass=" + NoopPathValidator.class.getName(),
        "--filesToStage=" + stage,
        "--input=" + SymmimProcess.repo().resolve("data/fashion-mnist-subset"),
        "--output=" + tmp.getRoot().toPath().resolve("prepared"), "--imageSize=16"));
    PrintStream out = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
      code = PrepareTemplate.run(args.toArray(new String[0]));
    } finally {
      System.setOut(out);
    }
    String text = printed.toString(StandardCharsets.UTF_8);
    System.out.print(text);
    assertEquals(0, code);
    assertTrue(text, text.contains("prepare: job written to " + job));
    JsonNode written = new ObjectMapper().readTree(job.toFile());
    assertTrue("a Dataflow job: " + written, written.has("environment"));
    assertEquals("symmim-flex-test", written.path("name").asText());
    assertFalse("nothing ran: no manifest", Files.exists(tmp.getRoot().toPath().resolve("prepared/manifest.json")));
  }

  /**
   * Only a Dataflow job is handed over without waiting: with --templateLocation, or inside an entry
   * point (its system property); other runners always wait.
   */
  @Test
  public void onlyDataflowJobsAreSubmittedWithoutWaiting() {
    String template = "--templateLocation=gs://my-bucket/t/job_object";
    assertTrue(Jobs.submitOnly(CommandLine.parse(new String[] {"--runner=DataflowRunner", template},
        PipelineOptions.class)));
    assertFalse(Jobs.submitOnly(CommandLine.parse(new String[] {"--runner=DataflowRunner"}, PipelineOptions.class)));
    assertFalse(Jobs.submitOnly(CommandLine.parse(new String[] {"--runner=DirectRunner", template},
        PipelineOptions.class)));
    System.setProperty(Jobs.SUBMIT_ONLY, "true");
    try {
      assertTrue(Jobs.submitOnly(CommandLine.parse(new String[] {"--runner=DataflowRunner"}, PipelineOptions.class)));
      assertFalse(Jobs.submitOnly(CommandLine.parse(new String[] {}, PipelineOptions.class)));
    } finally {
      System.clearProperty(Jobs.SUBMIT_ONLY);
    }
  }

  /** A stager (--stagerClass) that uploads nothing. */
  public static final class NoUpload implements Stager {
    public static NoUpload fromOptions(PipelineOptions options) {
      return new NoUpload();
    }

    @Override
    public List<DataflowPackage> stageFiles(List<PackageUtil.StagedFile> files) {
      return new ArrayList<>(files.stream().map(f -> new DataflowPackage().setName(f.getDestination())
          .setLocation("gs://my-bucket/staging/" + f.getDestination())).toList());
    }

    @Override
    public DataflowPackage stageToFile(byte[] bytes, String name) {
      return new DataflowPackage().setName(name).setLocation("gs://my-bucket/staging/" + name);
    }
  }
}
