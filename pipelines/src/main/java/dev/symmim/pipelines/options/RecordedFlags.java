package dev.symmim.pipelines.options;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.symmim.transforms.io.Locations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Replay: {@code symmim <command> --config=<file>} reruns a run from the flags it recorded. The file
 * is any record symmim writes with a {@code "command"} and a {@code "flags"} map (a pretrain or
 * finetune {@code run.json}, an embed {@code manifest.json}, an evaluate {@code metrics.json}, a
 * {@code benchmark.json}), local or {@code gs://}. Its flags become the
 * defaults and the flags given on the command line override them, deprecated names included.
 *
 * <p>A file that is missing, not JSON, records no flags or was written by another command is refused
 * naming the file (and both commands). A recorded flag this version does not know (a run of an older
 * symmim) is left out with one warning naming it; a recorded value the flag no longer accepts is
 * refused, unless the command line gives that flag.
 */
public final class RecordedFlags {
  /** The flag's name: {@code --config=<file>}. */
  public static final String FLAG = "config";

  private static final ObjectMapper JSON = new ObjectMapper();

  private RecordedFlags() {}

  /**
   * {@code args} with the flags recorded in {@code --config}'s file put before them (and --config
   * removed); {@code args} unchanged without --config.
   */
  public static String[] apply(String command, String[] args, Class<? extends PipelineOptions> type)
      throws IOException {
    String path = null;
    List<String> rest = new ArrayList<>();
    for (String a : args) {
      if (a.equals("--" + FLAG) || a.startsWith("--" + FLAG + "=")) {
        Flags.check(path == null, FLAG, a.substring(FLAG.length() + 2).replaceFirst("^=", ""),
            "is given twice; replay one run at a time");
        path = a.equals("--" + FLAG) ? "" : a.substring(FLAG.length() + 3);
      } else {
        rest.add(a);
      }
    }
    if (path == null) {
      return args;
    }
    Flags.require(path, FLAG, "the run.json, manifest.json, metrics.json or benchmark.json of the run to replay");
    if (Locations.isUri(path)) { // gs:// needs the GCS file system (and a --gcsEndpoint, if given)
      FileSystems.setDefaultPipelineOptions(CommandLine.parse(
          rest.stream().filter(a -> a.startsWith("--gcsEndpoint=")).toArray(String[]::new), PipelineOptions.class));
    }
    if (!Locations.isUri(path) && Files.isDirectory(Path.of(path))) {
      throw new IllegalArgumentException("--" + FLAG + "=" + path + ": is a directory; give the run.json, "
          + "manifest.json, metrics.json or benchmark.json in it");
    }
    if (!Locations.exists(path)) {
      throw new IllegalArgumentException("--" + FLAG + "=" + path + ": no such file");
    }
    JsonNode record;
    try {
      record = JSON.readTree(Locations.read(path));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("--" + FLAG + "=" + path + ": not JSON (" + e.getOriginalMessage() + ")", e);
    }
    if (record == null || record.isMissingNode()) {
      throw new IllegalArgumentException("--" + FLAG + "=" + path + ": is empty");
    }
    return merge(command, path, record, rest, type).toArray(new String[0]);
  }

  /**
   * The recorded flags of {@code record} (read from {@code path}) that {@code args} does not give,
   * as {@code --name=value}, followed by {@code args}.
   */
  static List<String> merge(String command, String path, JsonNode record, List<String> args,
      Class<? extends PipelineOptions> type) {
    String where = "--" + FLAG + "=" + path + ": ";
    JsonNode run = run(record);
    if (run == null) {
      throw new IllegalArgumentException(where + "records no flags (want the run.json of a pretrain or finetune "
          + "run, an embed manifest.json, an evaluate metrics.json or a benchmark.json written by symmim)");
    }
    String recorded = run.path("command").asText("").replaceFirst("^symmim\\s+", "").split("[\\s(]", 2)[0];
    if (recorded.isEmpty()) {
      throw new IllegalArgumentException(where + "records flags but not the command that wrote them");
    }
    if (!recorded.equals(command)) {
      throw new IllegalArgumentException(where + "was recorded by 'symmim " + recorded + "', not 'symmim " + command
          + "'; replay it with 'symmim " + recorded + " --" + FLAG + "=" + path + "'");
    }
    OptionDocs.Names names = OptionDocs.names(type);
    Map<String, OptionDocs.Flag> flags = names.byName();
    Map<String, OptionDocs.Flag> aliases = names.byAlias();
    Set<String> given = new HashSet<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      String name = a.startsWith("--") ? (eq < 0 ? a.substring(2) : a.substring(2, eq)) : a;
      OptionDocs.Flag alias = aliases.get(name);
      given.add(alias != null && !flags.containsKey(name) ? alias.name() : name);
    }
    List<String> out = new ArrayList<>();
    List<String> unknown = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = run.get("flags").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      OptionDocs.Flag flag = flags.get(e.getKey());
      if (flag == null && aliases.containsKey(e.getKey())) {
        flag = aliases.get(e.getKey()); // recorded under a name since deprecated
      }
      if (flag == null) {
        unknown.add("--" + e.getKey());
        continue;
      }
      if (given.contains(flag.name()) || e.getValue().isNull()) {
        continue;
      }
      String value = text(e.getValue());
      try {
        CommandLine.checkValue(flag, value);
      } catch (IllegalArgumentException bad) {
        throw new IllegalArgumentException(where + "the recorded " + bad.getMessage()
            + " (give --" + flag.name() + " on the command line to replace it)", bad);
      }
      given.add(flag.name());
      out.add("--" + flag.name() + "=" + value);
    }
    if (!unknown.isEmpty()) {
      System.err.println("symmim: warning: " + where + "ignoring recorded flags that this version of symmim "
          + command + " does not know: " + String.join(", ", unknown));
    }
    out.addAll(args);
    return out;
  }

  /**
   * The object holding "command" and "flags": the record itself (metrics.json, benchmark.json), its
   * "info" (run.json) or its "config" (manifest.json).
   */
  private static JsonNode run(JsonNode record) {
    for (JsonNode n : List.of(record, record.path("info"), record.path("config"))) {
      if (n.path("flags").isObject()) {
        return n;
      }
    }
    return null;
  }

  /** A recorded value as the command line gives it. */
  private static String text(JsonNode value) {
    if (value.isArray()) {
      List<String> parts = new ArrayList<>();
      value.forEach(v -> parts.add(v.asText()));
      return String.join(",", parts);
    }
    return value.isValueNode() ? value.asText() : value.toString();
  }
}
