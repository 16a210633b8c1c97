package dev.symmim.pipelines;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.symmim.transforms.embed.VertexIndexMetadata;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code infra/vertex/deploy.sh} under bash, with a PATH that holds no real gcloud: its dry run prints
 * the three gcloud steps with gcloud's flag names, bad flags exit 2 with one line, and a run against a
 * stand-in {@code gcloud} (a script that logs its arguments and answers like gcloud) threads the index
 * and endpoint ids through and points the metadata's {@code contentsDeltaUri} at the gs:// parts.
 */
public class VertexDeployScriptTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();
  static final Path SCRIPT = SymmimProcess.repo().resolve("infra/vertex/deploy.sh");

  // gcloud's flags of each command (gcloud ai ... --help, SDK 528), plus the gcloud-wide ones used here.
  static final Map<String, Set<String>> FLAGS = Map.of(
      "storage cp", Set.of(),
      "ai indexes create", Set.of("--display-name", "--metadata-file", "--project", "--region", "--format"),
      "ai operations describe", Set.of("--index", "--index-endpoint", "--project", "--region", "--format"),
      "ai index-endpoints create", Set.of("--display-name", "--public-endpoint-enabled", "--project", "--region",
          "--format"),
      "ai index-endpoints deploy-index", Set.of("--deployed-index-id", "--display-name", "--index", "--machine-type",
          "--min-replica-count", "--max-replica-count", "--project", "--region", "--format"));

  record Result(int code, String stdout, String stderr) {}

  /** A PATH directory with only {@code tr} (the one external tool the dry run uses) and what {@code extra} adds. */
  Path bin() throws Exception {
    Path bin = tmp.newFolder("bin").toPath();
    for (String tool : List.of("tr", "sed", "grep", "mktemp", "rm", "cp", "sleep", "cat", "dirname")) {
      for (String dir : List.of("/usr/bin", "/bin")) {
        if (Files.isExecutable(Path.of(dir, tool))) {
          Files.createSymbolicLink(bin.resolve(tool), Path.of(dir, tool));
          break;
        }
      }
    }
    return bin;
  }

  static String bash() {
    return Stream.of("/bin/bash", "/usr/bin/bash").filter(p -> Files.isExecutable(Path.of(p))).findFirst()
        .orElseThrow();
  }

  Result deploy(Path bin, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(bash(), SCRIPT.toString()));
    command.addAll(Arrays.asList(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().clear();
    pb.environment().put("PATH", bin.toString());
    pb.environment().put("HOME", tmp.getRoot().toString());
    pb.environment().put("VERTEX_POLL_SECONDS", "0");
    Path out = tmp.newFile().toPath();
    Path err = tmp.newFile().toPath();
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    int code = pb.start().waitFor();
    return new Result(code, Files.readString(out), Files.readString(err));
  }

  /** The gcloud command lines of {@code text}, each checked to use only that command's flags. */
  static List<String> gcloudLines(String text) {
    List<String> lines = text.lines().filter(l -> l.startsWith("gcloud ")).map(String::strip).toList();
    for (String line : lines) {
      String command = FLAGS.keySet().stream().filter(c -> line.startsWith("gcloud " + c + " ")).findFirst()
          .orElseThrow(() -> new AssertionError("an unexpected gcloud command: " + line));
      Set<String> used = new TreeSet<>();
      for (String word : line.split(" ")) {
        if (word.startsWith("--")) {
          used.add(word.replaceAll("=.*", ""));
        }
      }
      assertTrue(line + " uses flags gcloud " + command + " does not have", FLAGS.get(command).containsAll(used));
    }
    return lines;
  }

  @Test
  public void dryRunPrintsTheGcloudStepsWithoutGcloud() throws Exception {
    Result r = deploy(bin(), "--embeddings=gs://my-bucket/runs/emb-1/", "--project=my-proj", "--region=us-central1",
        "--dryRun=true");
    assertEquals(r.stderr(), 0, r.code());
    List<String> lines = gcloudLines(r.stdout());
    assertEquals(r.stdout(), 5, lines.size());
    assertEquals("gcloud storage cp gs://my-bucket/runs/emb-1/" + VertexIndexMetadata.FILE_NAME
        + " /tmp/symmim-vertex/index_metadata.json", lines.get(0));
    assertEquals("gcloud ai indexes create --display-name=symmim-emb-1 "
        + "--metadata-file=/tmp/symmim-vertex/index_metadata.json --project=my-proj --region=us-central1 "
        + "--format=value\\(name\\)", lines.get(1));
    assertTrue(lines.get(2), lines.get(2).startsWith("gcloud ai operations describe OPERATION_ID --index=INDEX_ID "));
    assertEquals("gcloud ai index-endpoints create --display-name=symmim-emb-1-endpoint --public-endpoint-enabled "
        + "--project=my-proj --region=us-central1 --format=value\\(name\\)", lines.get(3));
    assertEquals("gcloud ai index-endpoints deploy-index ENDPOINT_ID --index=INDEX_ID "
        + "--deployed-index-id=symmim_emb_1 --display-name=symmim-emb-1 --min-replica-count=1 --max-replica-count=1 "
        + "--project=my-proj --region=us-central1 --format=value\\(name\\)", lines.get(4));
    assertTrue(r.stdout(), r.stdout().contains("contentsDeltaUri in /tmp/symmim-vertex/index_metadata.json to "
        + "gs://my-bucket/runs/emb-1/vertex"));
  }

  @Test
  public void dryRunWithAnEndpointDeploysThereOnItsMachines() throws Exception {
    Result r = deploy(bin(), "--embeddings=gs://b/e", "--project=p", "--region=europe-west4", "--displayName=9 lives",
        "--endpoint=123", "--machineType=e2-standard-16", "--replicas=2", "--dryRun=true");
    assertEquals(r.stderr(), 0, r.code());
    List<String> lines = gcloudLines(r.stdout());
    assertFalse(r.stdout(), r.stdout().contains("gcloud ai index-endpoints create"));
    assertEquals("gcloud ai index-endpoints deploy-index 123 --index=INDEX_ID --deployed-index-id=symmim_9_lives "
        + "--display-name=9\\ lives --min-replica-count=2 --max-replica-count=2 --machine-type=e2-standard-16 "
        + "--project=p --region=europe-west4 --format=value\\(name\\)", lines.get(lines.size() - 1));
  }

  @Test
  public void badFlagsExit2WithOneLine() throws Exception {
    Path bin = bin();
    String[][] cases = {
      {"--embeddings=/data/emb", "--project=p", "--region=r", "--dryRun=true"},
      {"--project=p", "--region=r", "--dryRun=true"},
      {"--embeddings=gs://b/e", "--region=r", "--dryRun=true"},
      {"--embeddings=gs://b/e", "--project=p", "--region=r", "--replicas=0", "--dryRun=true"},
      {"--embeddings=gs://b/e", "--project=p", "--region=r", "--dryRun=yes"},
      {"--embeddings=gs://b/e", "--project=p", "--region=r", "--shards=2"},
      {"--embeddings=gs://b/e", "--project=p", "--region=r"},
    };
    String[] messages = {
      "deploy.sh: --embeddings=/data/emb: must be gs://bucket/path; Vertex AI reads the vectors from Cloud Storage only",
      "deploy.sh: --embeddings is required",
      "deploy.sh: --project is required",
      "deploy.sh: --replicas=0: must be a positive integer",
      "deploy.sh: --dryRun=yes: must be true or false",
      "deploy.sh: unknown flag --shards",
      "deploy.sh: gcloud not found on PATH",
    };
    for (int i = 0; i < cases.length; i++) {
      Result r = deploy(bin, cases[i]);
      assertEquals(String.join(" ", cases[i]) + ": " + r.stderr(), 2, r.code());
      assertEquals(r.stderr(), 1, r.stderr().lines().count());
      assertTrue(r.stderr(), r.stderr().startsWith(messages[i]));
      assertEquals("nothing printed on stdout: " + r.stdout(), "", r.stdout());
    }
  }

  @Test
  public void aRunThreadsTheIdsAndPointsTheMetadataAtTheGcsParts() throws Exception {
    Path bin = bin();
    Path gcs = tmp.newFolder("gcs").toPath();
    Path log = tmp.getRoot().toPath().resolve("gcloud.log");
    Path seen = tmp.getRoot().toPath().resolve("metadata-seen.json");
    Path run = Files.createDirectories(gcs.resolve("bucket/runs/emb"));
    // as 'symmim embed --output=/local/emb' wrote it, then copied to gs://bucket/runs/emb
    VertexIndexMetadata.of("/local/emb/vertex", 48, 1000, 150).writeTo(run.toString());
    Path gcloud = bin.resolve("gcloud");
    Files.writeString(gcloud, String.join("\n",
        "#!" + bash(),
        "echo \"gcloud $*\" >> " + log,
        "case \"$1 $2 $3\" in",
        "  'storage cp '*) cp \"" + gcs + "/${3#gs://}\" \"$4\" ;;",
        "  'ai indexes create') for a; do case \"$a\" in --metadata-file=*) cp \"${a#*=}\" " + seen + " ;; esac; done",
        "    echo projects/42/locations/r/indexes/777/operations/888 ;;",
        "  'ai operations describe') case \"$*\" in *'value(done)'*) echo True ;; *) echo ;; esac ;;",
        "  'ai index-endpoints create') echo projects/42/locations/r/indexEndpoints/555 ;;",
        "  'ai index-endpoints deploy-index') echo projects/42/locations/r/indexEndpoints/555/operations/999 ;;",
        "  *) echo \"unexpected: $*\" >&2; exit 1 ;;",
        "esac",
        ""), StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(gcloud, PosixFilePermissions.fromString("rwxr-xr-x"));

    Result r = deploy(bin, "--embeddings=gs://bucket/runs/emb", "--project=p", "--region=r");
    assertEquals(r.stderr() + r.stdout(), 0, r.code());
    List<String> calls = gcloudLines(Files.readString(log));
    assertEquals(String.join("\n", calls), 8, calls.size());
    assertTrue(calls.get(0), calls.get(0).startsWith(
        "gcloud storage cp gs://bucket/runs/emb/" + VertexIndexMetadata.FILE_NAME + " /"));
    assertTrue(calls.get(1), calls.get(1).startsWith("gcloud ai indexes create --display-name=symmim-emb --metadata-file=/"));
    String where = " --project=p --region=r --format=";
    assertEquals("gcloud ai operations describe 888 --index=777" + where + "value(done)", calls.get(2));
    assertEquals("gcloud ai operations describe 888 --index=777" + where + "value(error.message)", calls.get(3));
    assertEquals("gcloud ai index-endpoints create --display-name=symmim-emb-endpoint --public-endpoint-enabled" + where
        + "value(name)", calls.get(4));
    assertEquals("gcloud ai index-endpoints deploy-index 555 --index=777 --deployed-index-id=symmim_emb "
        + "--display-name=symmim-emb --min-replica-count=1 --max-replica-count=1" + where + "value(name)", calls.get(5));
    assertEquals("gcloud ai operations describe 999 --index-endpoint=555" + where + "value(done)", calls.get(6));
    assertEquals("gcloud ai operations describe 999 --index-endpoint=555" + where + "value(error.message)", calls.get(7));

    JsonNode original = new ObjectMapper().readTree(run.resolve(VertexIndexMetadata.FILE_NAME).toFile());
    JsonNode given = new ObjectMapper().readTree(seen.toFile());
    assertEquals("gs://bucket/runs/emb/vertex", given.get("contentsDeltaUri").asText());
    assertEquals(original.get("config"), given.get("config"));
    assertTrue(r.stdout(), r.stdout().contains("gcloud ai index-endpoints describe 555 --project=p --region=r"));
  }
}
