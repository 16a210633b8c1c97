package dev.symmim.pipelines.options;

import java.lang.annotation.Annotation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Hidden;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/**
 * A command's flags read off its options interface: the one source that the help text, the
 * required-flag check, the Flex Template metadata and {@code run.json} are generated from. Only
 * getters declared in symmim's own option interfaces count (Beam's runner flags are the runner's).
 */
public final class OptionDocs {
  private OptionDocs() {}

  /**
   * One flag.
   *
   * @param group the option interface declaring it (its concern: data, model, optimisation, ...)
   * @param defaultValue the declared default as text, null when there is none
   */
  public record Flag(String name, Class<?> type, String defaultValue, String description, boolean required,
      boolean hidden, List<String> aliases, String group, Method getter) {
    /** The value type as a user reads it: int, double, true|false, one|of|these, text. */
    public String typeName() {
      if (type.isEnum()) {
        return String.join("|", Arrays.stream(type.getEnumConstants()).map(c -> ((Enum<?>) c).name()).toList());
      }
      if (type == boolean.class || type == Boolean.class) {
        return "true|false";
      }
      if (type == String.class) {
        return "text";
      }
      return type.getSimpleName().toLowerCase();
    }
  }

  /** The flags of a command by name and by deprecated alias (how the parser and replay look a flag up). */
  public record Names(Map<String, Flag> byName, Map<String, Flag> byAlias) {}

  /** {@link #of}'s flags of {@code type} indexed by name and by alias. */
  public static Names names(Class<? extends PipelineOptions> type) {
    Map<String, Flag> byName = new HashMap<>();
    Map<String, Flag> byAlias = new HashMap<>();
    for (Flag f : of(type)) {
      byName.put(f.name(), f);
      f.aliases().forEach(a -> byAlias.put(a, f));
    }
    return new Names(byName, byAlias);
  }

  /**
   * The flags of {@code type}, grouped by the interface that declares them (most general first), by
   * name. A getter redeclared by a more specific interface (a command describing its --output) wins.
   */
  public static List<Flag> of(Class<? extends PipelineOptions> type) {
    List<Class<?>> groups = new ArrayList<>();
    collect(type, groups);
    List<Flag> flags = new ArrayList<>();
    for (Class<?> group : groups) {
      Method[] methods = group.getDeclaredMethods();
      Arrays.sort(methods, Comparator.comparing(OptionDocs::name));
      for (Method m : methods) {
        if (m.getParameterCount() != 0 || !(m.getName().startsWith("get") || m.getName().startsWith("is"))
            || m.isDefault() || java.lang.reflect.Modifier.isStatic(m.getModifiers())) {
          continue;
        }
        Description d = m.getAnnotation(Description.class);
        FlagAlias alias = m.getAnnotation(FlagAlias.class);
        flags.removeIf(f -> f.name().equals(name(m))); // a command may redeclare a shared flag to describe it
        flags.add(new Flag(name(m), m.getReturnType(), defaultValue(m), d == null ? "" : d.value(),
            m.getAnnotation(Validation.Required.class) != null, m.getAnnotation(Hidden.class) != null,
            alias == null ? List.of() : List.of(alias.value()), groupName(group), m));
      }
    }
    return flags;
  }

  /** The interfaces of {@code type} declared by symmim, most general first, each once. */
  private static void collect(Class<?> type, List<Class<?>> out) {
    for (Class<?> parent : type.getInterfaces()) {
      collect(parent, out);
    }
    if (type.getName().startsWith("dev.symmim.") && !out.contains(type)) {
      out.add(type);
    }
  }

  private static String groupName(Class<?> group) {
    String n = group.getSimpleName().replaceAll("Options$", "");
    return n.replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase();
  }

  /** {@code getBatchSize} -> {@code batchSize}. */
  public static String name(Method getter) {
    String n = getter.getName().startsWith("is") ? getter.getName().substring(2) : getter.getName().substring(3);
    return Character.toLowerCase(n.charAt(0)) + n.substring(1);
  }

  /** The @Default.* value as text; null without one (or for a default computed at run time). */
  static String defaultValue(Method m) {
    for (Annotation a : m.getAnnotations()) {
      if (a.annotationType().getEnclosingClass() == Default.class && !(a instanceof Default.InstanceFactory)) {
        try {
          return String.valueOf(a.annotationType().getMethod("value").invoke(a));
        } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException e) {
          throw new IllegalStateException("cannot read " + a, e);
        }
      }
    }
    return null;
  }

  /** Every flag's value in {@code o} (as the command will use it), for run.json. */
  public static Map<String, Object> values(PipelineOptions o, Class<? extends PipelineOptions> type) {
    Map<String, Object> out = new LinkedHashMap<>();
    PipelineOptions view = o.as(type);
    for (Flag f : of(type)) {
      if (f.hidden()) {
        continue;
      }
      Object v = get(view, f);
      out.put(f.name(), v instanceof Enum<?> e ? e.name() : v);
    }
    return out;
  }

  /** Refuses a missing @Validation.Required flag: {@code --data is required: <its description>}. */
  public static void requireAll(PipelineOptions o, Class<? extends PipelineOptions> type) {
    PipelineOptions view = o.as(type);
    for (Flag f : of(type)) {
      if (!f.required()) {
        continue;
      }
      Object v = get(view, f);
      if (v == null || (v instanceof String s && s.isBlank())) {
        throw new IllegalArgumentException("--" + f.name() + " is required: " + f.description());
      }
    }
  }

  private static Object get(PipelineOptions view, Flag f) {
    try {
      return f.getter().invoke(view);
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException("cannot read --" + f.name(), e);
    }
  }
}
