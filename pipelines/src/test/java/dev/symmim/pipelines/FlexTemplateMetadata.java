package dev.symmim.pipelines;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.symmim.pipelines.cli.Symmim;
import dev.symmim.pipelines.flex.FlexTemplate;
import dev.symmim.pipelines.options.OptionDocs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Dataflow Flex Template metadata (infra/dataflow/metadata/&lt;command&gt;.json) generated from the
 * commands' options ({@link OptionDocs}): one template per entry point of {@link FlexTemplate} and one
 * parameter per flag the command declares (Beam's own flags, such as --runner or --tempLocation, are
 * the launcher's), its @Description as help text, its @Default in the help text,
 * @Validation.Required as not optional, and a regex for numbers, booleans and enums.
 * {@code FlexTemplateMetadataTest} fails when a committed file is stale; regenerate with
 * {@code mvn -o test -pl pipelines -Dtest=FlexTemplateMetadataTest -Dsymmim.writeMetadata=true}.
 */
final class FlexTemplateMetadata {
  /** The commands that run as one Dataflow job each (a Flex Template each), with their options. */
  static final Map<String, Class<? extends PipelineOptions>> COMMANDS = new LinkedHashMap<>();

  static {
    for (String command : FlexTemplate.ENTRY_POINTS.keySet()) {
      COMMANDS.put(command, Symmim.options(command));
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private FlexTemplateMetadata() {}

  /** The metadata JSON of one command. */
  static String metadata(String command) throws Exception {
    ObjectNode root = JSON.createObjectNode();
    root.put("name", "symmim " + command);
    root.put("description", Symmim.summary(command) + ". Runs `symmim " + command + "` ("
        + FlexTemplate.ENTRY_POINTS.get(command).getName() + ") with these parameters as --flags.");
    ArrayNode params = root.putArray("parameters");
    List<OptionDocs.Flag> flags = OptionDocs.of(COMMANDS.get(command)).stream().filter(f -> !f.hidden())
        .sorted(Comparator.comparing(OptionDocs.Flag::name)).toList();
    for (OptionDocs.Flag f : flags) {
      ObjectNode p = params.addObject();
      p.put("name", f.name());
      p.put("label", f.name());
      p.put("helpText", f.defaultValue() == null ? f.description() : f.description() + " Default: " + f.defaultValue() + ".");
      p.put("isOptional", !f.required());
      String regex = regex(f.type());
      if (regex != null) {
        p.putArray("regexes").add(regex);
      }
    }
    return JSON.writeValueAsString(root) + "\n";
  }

  static String regex(Class<?> t) {
    if (t == int.class || t == long.class || t == Integer.class || t == Long.class) {
      return "^-?[0-9]+$";
    }
    if (t == double.class || t == float.class || t == Double.class || t == Float.class) {
      return "^-?[0-9]+(\\.[0-9]+)?([eE]-?[0-9]+)?$";
    }
    if (t == boolean.class || t == Boolean.class) {
      return "^(true|false)$";
    }
    if (t.isEnum()) {
      return "^(" + String.join("|", Arrays.stream(t.getEnumConstants()).map(c -> ((Enum<?>) c).name()).toList()) + ")$";
    }
    return null;
  }

  /** Writes every command's metadata into {@code dir}. */
  static void writeAll(Path dir) throws Exception {
    Files.createDirectories(dir);
    for (String command : COMMANDS.keySet()) {
      Files.writeString(dir.resolve(command + ".json"), metadata(command), StandardCharsets.UTF_8);
    }
  }
}
