package dev.symmim.pipelines.options;

import dev.symmim.pipelines.runner.RunnerDefaults;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Parses a command's flags into its options: {@code --name=value} (or {@code --name} alone for a
 * boolean flag), deprecated aliases rewritten with a warning, enum values and numbers checked with a
 * message naming the flag, and symmim's runner defaults added (embedded Flink unless
 * {@code --runner} says otherwise). Command options are never registered globally, so two commands
 * may give a flag of the same name different defaults.
 */
public final class CommandLine {
  private CommandLine() {}

  /** The options of {@code type} from {@code args}; bad flags throw IllegalArgumentException naming them. */
  public static <T extends PipelineOptions> T parse(String[] args, Class<T> type) {
    OptionDocs.Names names = OptionDocs.names(type);
    Map<String, OptionDocs.Flag> flags = names.byName();
    Map<String, OptionDocs.Flag> aliases = names.byAlias();
    List<String> all = new ArrayList<>();
    Map<String, String> given = new HashMap<>();
    for (String a : args) {
      if (!a.startsWith("--") || a.length() == 2) {
        throw new IllegalArgumentException("flags are --name=value, got '" + a + "'");
      }
      int eq = a.indexOf('=');
      String name = eq < 0 ? a.substring(2) : a.substring(2, eq);
      String value = eq < 0 ? null : a.substring(eq + 1);
      OptionDocs.Flag alias = aliases.get(name);
      if (alias != null && !flags.containsKey(name)) {
        System.err.println("symmim: warning: --" + name + " is deprecated here; use --" + alias.name());
        name = alias.name();
      }
      OptionDocs.Flag flag = flags.get(name);
      if (value == null) {
        if (flag == null || !(flag.type() == boolean.class || flag.type() == Boolean.class)) {
          throw new IllegalArgumentException("--" + name + " needs a value: --" + name + "=<value>");
        }
        value = "true";
      }
      if (flag != null) {
        checkValue(flag, value);
      }
      String earlier = given.put(name, value);
      if (earlier != null && !isList(flag)) {
        throw new IllegalArgumentException("--" + name + " is given twice (" + earlier + " and " + value
            + "); give it once");
      }
      all.add("--" + name + "=" + value);
    }
    all.addAll(RunnerDefaults.missingFlags(all));
    T options;
    try {
      options = PipelineOptionsFactory.fromArgs(all.toArray(new String[0])).as(type);
    } catch (IllegalArgumentException e) {
      java.util.regex.Matcher unknown = java.util.regex.Pattern
          .compile("missing a property named '([^']*)'(?:\\. Did you mean (?:one of )?\\[?([^\\]?]*)\\]?\\?)?")
          .matcher(String.valueOf(e.getMessage()));
      if (unknown.find()) {
        String hint = unknown.group(2) == null ? ""
            : "; did you mean --" + String.join(" or --", unknown.group(2).replace("'", "").split(",\\s*")) + "?";
        throw new IllegalArgumentException("--" + unknown.group(1) + ": unknown flag" + hint
            + " (see 'symmim help <command>')", e);
      }
      throw new IllegalArgumentException(e.getMessage() + " (see 'symmim help <command>')", e);
    }
    RunnerDefaults.applyLocalSpark(options);
    return options;
  }

  private static boolean isList(OptionDocs.Flag flag) {
    return flag != null && (java.util.Collection.class.isAssignableFrom(flag.type()) || flag.type().isArray());
  }

  /** Refuses a value that is not of the flag's type: an unknown enum constant, a malformed number or boolean. */
  static void checkValue(OptionDocs.Flag flag, String value) {
    Class<?> t = flag.type();
    String bad = null;
    if (t.isEnum()) {
      boolean known = Arrays.stream(t.getEnumConstants()).anyMatch(c -> ((Enum<?>) c).name().equals(value));
      if (!known) {
        bad = "must be one of " + String.join(", ", Arrays.stream(t.getEnumConstants())
            .map(c -> ((Enum<?>) c).name()).toList());
      }
    } else if (t == int.class || t == Integer.class || t == long.class || t == Long.class) {
      try {
        Long.parseLong(value);
      } catch (NumberFormatException e) {
        bad = "not an integer";
      }
    } else if (t == double.class || t == Double.class || t == float.class || t == Float.class) {
      try {
        Double.parseDouble(value);
      } catch (NumberFormatException e) {
        bad = "not a number";
      }
    } else if ((t == boolean.class || t == Boolean.class) && !value.equals("true") && !value.equals("false")) {
      bad = "must be true or false";
    }
    if (bad != null) {
      throw new IllegalArgumentException("--" + flag.name() + "=" + value + ": " + bad);
    }
  }
}
