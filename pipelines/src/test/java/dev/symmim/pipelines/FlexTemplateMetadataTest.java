package dev.symmim.pipelines;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Test;

/**
 * The committed Flex Template metadata (infra/dataflow/metadata) matches the options it is
 * generated from, and says what the CLI says: required flags are not optional, enum flags accept
 * exactly their values. With {@code -Dsymmim.writeMetadata=true} it rewrites the files instead.
 */
public class FlexTemplateMetadataTest {
  static final Path DIR = SymmimProcess.repo().resolve("infra/dataflow/metadata");

  @Test
  public void committedMetadataIsCurrent() throws Exception {
    if (Boolean.getBoolean("symmim.writeMetadata")) {
      FlexTemplateMetadata.writeAll(DIR);
    }
    for (String command : FlexTemplateMetadata.COMMANDS.keySet()) {
      Path file = DIR.resolve(command + ".json");
      assertTrue(file + " is missing; regenerate: mvn -o verify -pl pipelines -Dtest=FlexTemplateMetadataTest "
          + "-Dsymmim.writeMetadata=true", Files.exists(file));
      assertEquals(file + " is stale; regenerate: mvn -o verify -pl pipelines -Dtest=FlexTemplateMetadataTest "
          + "-Dsymmim.writeMetadata=true", FlexTemplateMetadata.metadata(command),
          Files.readString(file, StandardCharsets.UTF_8));
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
}
