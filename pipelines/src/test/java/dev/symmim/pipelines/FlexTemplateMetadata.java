package dev.symmim.pipelines;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Hidden;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Dataflow Flex Template metadata (infra/dataflow/metadata/&lt;command&gt;.json) generated from the
 * commands' options interfaces: one parameter per flag the command declares (Beam's own flags,
 * such as --runner or --tempLocation, are the launcher's), its @Description as help text, its
 * @Default in the help text, and a regex for numbers, booleans and enums.
 * {@code FlexTemplateMetadataTest} fails when a committed file is stale; regenerate with
 * {@code mvn -o verify -pl pipelines -Dtest=FlexTemplateMetadataTest -Dsymmim.writeMetadata=true}.
 */
final class FlexTemplateMetadata {
  /** The commands that run as one Dataflow job each, with their options. */
  static final Map<String, Class<? extends PipelineOptions>> COMMANDS = new LinkedHashMap<>();

  /** Flags the command refuses to run without (checked by Flags.require at launch, not annotated). */
  static final Map<String, Set<String>> REQUIRED = Map.of(
      "prepare", Set.of("input", "output"),
      "pretrain", Set.of("data", "output"),
      "embed", Set.of("data", "output"),
      "evaluate", Set.of("embeddings", "output"),
      "index", Set.of("embeddings", "output"));

  static {
    COMMANDS.put("prepare", PrepareOptions.class);
    COMMANDS.put("pretrain", PretrainOptions.class);
    COMMANDS.put("embed", EmbedOptions.class);
    COMMANDS.put("evaluate", EvaluateOptions.class);
    COMMANDS.put("index", IndexOptions.class);
  }

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private FlexTemplateMetadata() {}

  /** The metadata JSON of one command. */
  static String metadata(String command) throws Exception {
    Class<? extends PipelineOptions> type = COMMANDS.get(command);
    ObjectNode root = JSON.createObjectNode();
    root.put("name", "symmim " + command);
    String usage = Arrays.stream(Symmim.USAGE.split("\n")).filter(l -> l.startsWith("  " + command + " "))
        .findFirst().orElseThrow(() -> new IllegalStateException("no usage line for " + command)).trim();
    root.put("description", usage.substring(command.length()).trim()
        + ". Runs `symmim " + command + "` (dev.symmim.pipelines.Symmim) with these parameters as --flags.");
    ArrayNode params = root.putArray("parameters");
    List<Method> getters = Arrays.stream(type.getMethods())
        .filter(m -> m.getDeclaringClass().getName().startsWith("dev.symmim."))
        .filter(m -> m.getParameterCount() == 0 && (m.getName().startsWith("get") || m.getName().startsWith("is")))
        .filter(m -> m.getAnnotation(Hidden.class) == null)
        .sorted(Comparator.comparing(Method::getName))
        .toList();
    Set<String> required = REQUIRED.getOrDefault(command, Set.of());
    for (Method m : getters) {
      String name = flag(m);
      ObjectNode p = params.addObject();
      p.put("name", name);
      p.put("label", name);
      Description d = m.getAnnotation(Description.class);
      String help = d == null ? name : d.value();
      String def = defaultValue(m);
      p.put("helpText", def == null ? help : help + " Default: " + def + ".");
      p.put("isOptional", !required.contains(name));
      String regex = regex(m.getReturnType());
      if (regex != null) {
        p.putArray("regexes").add(regex);
      }
    }
    for (String r : required) {
      if (getters.stream().noneMatch(m -> flag(m).equals(r))) {
        throw new IllegalStateException(command + ": required flag --" + r + " is not in " + type.getSimpleName());
      }
    }
    return JSON.writeValueAsString(root) + "\n";
  }

  static String flag(Method m) {
    String n = m.getName().startsWith("is") ? m.getName().substring(2) : m.getName().substring(3);
    return Character.toLowerCase(n.charAt(0)) + n.substring(1);
  }

  static String defaultValue(Method m) throws Exception {
    for (Annotation a : m.getAnnotations()) {
      if (a.annotationType().getEnclosingClass() == Default.class) {
        if (a instanceof Default.InstanceFactory) {
          return null; // computed at run time
        }
        return String.valueOf(a.annotationType().getMethod("value").invoke(a));
      }
    }
    return null;
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
