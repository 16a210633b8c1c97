package dev.symmim.pipelines;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.symmim.pipelines.flex.FlexTemplate;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Assume;
import org.junit.Test;

/**
 * infra/dataflow/flex.sh with --dryRun=true (bash, no gcloud, no build): the commands it prints for
 * building every stage's template and for running one, and the one-line errors (exit 2) for bad input.
 * Where the Google Cloud SDK is installed, gcloud itself also reads every stage's metadata into a
 * template spec offline ({@code --print-only}).
 */
public class FlexScriptTest {
  static final Path REPO = SymmimProcess.repo();
  static final String SCRIPT = REPO.resolve("infra/dataflow/flex.sh").toString();
  static final String METADATA = REPO.resolve("infra/dataflow/metadata").toString();

  record Result(int code, String out, String err) {}

  static Result run(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", SCRIPT));
    command.addAll(Arrays.asList(args));
    return exec(command);
  }

  static Result exec(List<String> command) throws Exception {
    Path out = Files.createTempFile("flex", ".out");
    Path err = Files.createTempFile("flex", ".err");
    try {
      ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
      pb.environment().remove("GOOGLE_CLOUD_PROJECT");
      pb.environment().remove("DATAFLOW_REGION");
      Process p = pb.start();
      assertTrue(command + " did not end", p.waitFor(120, TimeUnit.SECONDS));
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  @Test
  public void buildPrintsTheJarBuildAndOneTemplateBuildPerStage() throws Exception {
    Result r = run("build", "all", "--project=my-proj", "--region=us-central1", "--bucket=gs://my-bucket/symmim/",
        "--tag=t1", "--dryRun=true");
    assertEquals(r.err, 0, r.code);
    List<String> lines = r.out.lines().toList();
    assertEquals("mvn -B -q -f " + REPO.resolve("pom.xml") + " -DskipTests package", lines.get(0).strip());
    assertTrue(lines.get(1), lines.get(1).startsWith("# copy "));
    List<String> builds = lines.stream().filter(l -> l.startsWith("gcloud ")).toList();
    assertEquals(r.out, FlexTemplate.ENTRY_POINTS.size(), builds.size());
    for (var e : FlexTemplate.ENTRY_POINTS.entrySet()) {
      String stage = e.getKey();
      String expected = "gcloud dataflow flex-template build gs://my-bucket/symmim/templates/" + stage + ".json"
          + " --project=my-proj --image-gcr-path=us-central1-docker.pkg.dev/my-proj/symmim/symmim-flex-" + stage + ":t1"
          + " --sdk-language=JAVA --flex-template-base-image=JAVA17 --metadata-file=" + METADATA + "/" + stage + ".json"
          + " --jar=" + REPO.resolve("pipelines/target/flex-jars")
          + " --env=FLEX_TEMPLATE_JAVA_MAIN_CLASS=" + e.getValue().getName()
          + " --staging-location=gs://my-bucket/symmim/staging --temp-location=gs://my-bucket/symmim/tmp";
      assertTrue(stage + ":\n" + r.out, builds.stream().anyMatch(l -> l.strip().equals(expected)));
    }
    Result one = run("build", "index", "--project=p", "--region=r", "--bucket=gs://b", "--skipBuild=true",
        "--repository=europe-docker.pkg.dev/p/repo", "--dryRun=true");
    assertEquals(one.err, 0, one.code);
    assertEquals(one.out, 2, one.out.lines().count());
    assertTrue(one.out, one.out.contains(" --image-gcr-path=europe-docker.pkg.dev/p/repo/symmim-flex-index:"));
  }

  @Test
  public void runPrintsTheTemplateRunWithTheStageFlagsAsParameters() throws Exception {
    Result r = run("run", "prepare", "--project=my-proj", "--region=us-central1", "--bucket=gs://my-bucket/symmim",
        "--jobName=prep-1", "--dryRun=true", "--input=gs://my-bucket/raw", "--output=gs://my-bucket/prepared",
        "--imageSize=16");
    assertEquals(r.err, 0, r.code);
    assertEquals("gcloud dataflow flex-template run prep-1 --project=my-proj --region=us-central1"
        + " --template-file-gcs-location=gs://my-bucket/symmim/templates/prepare.json"
        + " --staging-location=gs://my-bucket/symmim/staging --temp-location=gs://my-bucket/symmim/tmp"
        + " --parameters=input=gs://my-bucket/raw --parameters=output=gs://my-bucket/prepared --parameters=imageSize=16",
        r.out.strip());

    // A GPU stage: Runner v2, an L4 on a G2 machine, the worker image; a value with commas gets another separator.
    Result gpu = run("run", "evaluate", "--project=p", "--region=us-central1", "--bucket=gs://b", "--dryRun=true",
        "--image=us-docker.pkg.dev/p/r/worker:1", "--embeddings=gs://b/e", "--output=gs://b/eval",
        "--baselines=false", "--readouts=cls,mean");
    assertEquals(gpu.err, 0, gpu.code);
    String line = gpu.out.strip();
    assertTrue(line, line.matches("gcloud dataflow flex-template run symmim-evaluate-[0-9]{8}-[0-9]{6} .*"));
    for (String part : List.of(" --additional-experiments=use_runner_v2", " --worker-machine-type=g2-standard-8",
        " --additional-pipeline-options=dataflowServiceOptions=worker_accelerator=type:nvidia-l4\\;count:1\\;"
            + "install-nvidia-driver\\,sdkContainerImage=us-docker.pkg.dev/p/r/worker:1",
        " --parameters=\\^~\\^readouts=cls\\,mean", " --parameters=baselines=false")) {
      assertTrue(part + " in\n" + line, line.contains(part));
    }
    // The same without a GPU: no accelerator, the image still becomes the workers' container.
    Result cpu = run("run", "index", "--project=p", "--region=r", "--bucket=gs://b", "--dryRun=true", "--gpu=false",
        "--machineType=n2-standard-4", "--embeddings=gs://b/e", "--output=gs://b/i", "--jobName=ix");
    assertEquals(cpu.err, 0, cpu.code);
    assertTrue(cpu.out, cpu.out.contains(" --worker-machine-type=n2-standard-4 --parameters=embeddings=gs://b/e"));
    assertTrue(cpu.out, !cpu.out.contains("accelerator") && !cpu.out.contains("use_runner_v2"));
  }

  @Test
  public void badInputEndsWithOneLineAndStatus2() throws Exception {
    String[] common = {"--project=p", "--region=r", "--bucket=gs://b", "--dryRun=true"};
    List<List<String>> cases = List.of(
        List.of("run", "prepare", "--input=gs://b/raw"),                                       // a required parameter missing
        List.of("run", "prepare", "--input=gs://b/raw", "--output=gs://b/o", "--epochs=3"),  // another stage's flag
        List.of("run", "prepare", "--input=/home/me/images", "--output=gs://b/o"),            // local path
        List.of("run", "embed", "--data=gs://b/d", "--checkpoint=gs://b/c", "--output=gs://b/o"), // GPU without --image
        List.of("run", "prepare", "--input=gs://b/raw", "--output=gs://b/o", "--runner=DirectRunner"),
        List.of("run", "prepare", "input=gs://b/raw"),
        List.of("run", "train"),
        List.of("build", "all", "--input=gs://b/raw"),
        List.of("deploy", "prepare"));
    List<String> expected = List.of("--output is required by the prepare template",
        "--epochs: not a parameter of the prepare template", "--input=/home/me/images: not gs://",
        "--image is required with a GPU", "--runner=DirectRunner: a Flex Template always runs on Dataflow",
        "flags are --name=value, got 'input=gs://b/raw'", "unknown stage 'train'",
        "--input=gs://b/raw: build takes no stage flags", "unknown action 'deploy'");
    for (int i = 0; i < cases.size(); i++) {
      List<String> args = new ArrayList<>(cases.get(i));
      args.addAll(List.of(common));
      Result r = run(args.toArray(new String[0]));
      assertEquals(args + ": " + r.err, 2, r.code);
      assertEquals(args + " printed a command", "", r.out);
      assertEquals(args + ": one line", 1, r.err.lines().count());
      assertTrue(args + ": " + r.err, r.err.startsWith("flex.sh: ") && r.err.contains(expected.get(i)));
    }
    Result noBucket = run("run", "prepare", "--project=p", "--region=r", "--dryRun=true");
    assertEquals(2, noBucket.code);
    assertTrue(noBucket.err, noBucket.err.startsWith("flex.sh: --bucket=<unset>: must be gs://"));
  }

  /** gcloud (where installed) builds each stage's template spec from its metadata offline: the metadata is valid. */
  @Test
  public void gcloudReadsEveryStagesMetadata() throws Exception {
    String gcloud = null;
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, "gcloud"))) {
        gcloud = Path.of(dir, "gcloud").toString();
        break;
      }
    }
    Assume.assumeTrue("gcloud is not installed", gcloud != null);
    for (String stage : FlexTemplate.ENTRY_POINTS.keySet()) {
      Result r = exec(List.of(gcloud, "dataflow", "flex-template", "build", "gs://b/templates/" + stage + ".json",
          "--image=us-central1-docker.pkg.dev/p/symmim/symmim-flex-" + stage + ":t", "--sdk-language=JAVA",
          "--metadata-file=" + METADATA + "/" + stage + ".json", "--print-only", "--quiet"));
      assertEquals(stage + ": " + r.err, 0, r.code);
      assertTrue(stage + ": " + r.out, r.out.contains("\"name\": \"symmim " + stage + "\"")
          && r.out.contains("\"parameters\": ["));
    }
  }
}
