package dev.symmim.pipelines.cli;

import dev.symmim.pipelines.options.OptionDocs;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;

/** Help text generated from the options: every flag with its type, default and description, by concern. */
final class Help {
  private Help() {}

  static String of(String command, String summary, Class<? extends PipelineOptions> type) {
    List<OptionDocs.Flag> flags = OptionDocs.of(type);
    StringBuilder out = new StringBuilder("usage: symmim ").append(command);
    for (OptionDocs.Flag f : flags) {
      if (f.required()) {
        out.append(" --").append(f.name()).append("=<").append(f.typeName()).append('>');
      }
    }
    out.append(" [--flag=value ...]\n\n").append(summary).append("\n");
    String group = null;
    for (OptionDocs.Flag f : flags) {
      if (f.hidden()) {
        continue;
      }
      if (!f.group().equals(group)) {
        group = f.group();
        out.append('\n').append(group).append(":\n");
      }
      out.append("  --").append(f.name()).append("=<").append(f.typeName()).append(">");
      if (f.required()) {
        out.append("  (required)");
      } else if (f.defaultValue() != null) {
        out.append("  (default ").append(f.defaultValue()).append(')');
      }
      out.append("\n      ").append(f.description());
      if (!f.aliases().isEmpty()) {
        out.append(" Deprecated alias: --").append(String.join(", --", f.aliases())).append('.');
      }
      out.append('\n');
    }
    out.append("\nreplay: --config=<file>  the flags recorded by an earlier run of " + command + " (the run.json, "
        + "manifest.json, metrics.json or benchmark.json it wrote; local or gs://) become the defaults; flags given "
        + "beside it override them. Runner flags are not recorded: give them again.\n");
    out.append("\nrunner: --runner=FlinkRunner (default, embedded: --flinkMaster=[local]; a cluster: --flinkMaster=host:8081) | "
        + "SparkRunner (--sparkMaster=local[N] or spark://host:7077) | DirectRunner | DataflowRunner; "
        + "--gcsEndpoint=URL points gs:// at another GCS server. A boolean flag alone (--flag) means true.\n");
    return out.toString();
  }
}
