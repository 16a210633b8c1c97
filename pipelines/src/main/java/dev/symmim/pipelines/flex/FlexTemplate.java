package dev.symmim.pipelines.flex;

import dev.symmim.pipelines.cli.Symmim;
import dev.symmim.pipelines.runner.Jobs;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the Flex Template entry points share. The launcher runs {@code FLEX_TEMPLATE_JAVA_MAIN_CLASS}
 * with the template's parameters and its own Dataflow options ({@code --project}, {@code --region},
 * {@code --jobName}, {@code --stagingLocation}, {@code --tempLocation}, {@code --templateLocation},
 * {@code --labels}, worker settings ...) as {@code --name=value} arguments and nothing else, so each
 * stage has a main class of its own that puts its command in front of them and runs {@code symmim}
 * exactly as {@code bin/symmim <stage>} would ({@link Symmim#main}): the same parsing, replay,
 * validation, one-line errors and exit codes. The runner is Dataflow unless {@code --runner} says
 * otherwise, and the stage hands its job to Dataflow and ends without waiting for it or reading its
 * outputs ({@link Jobs#submitOnly}): with the launcher's {@code --templateLocation} it writes the job
 * there, and the launcher submits it once the process has ended.
 */
public final class FlexTemplate {
  /** Each stage's entry point (the template's {@code FLEX_TEMPLATE_JAVA_MAIN_CLASS}), by command. */
  public static final Map<String, Class<?>> ENTRY_POINTS;

  static {
    Map<String, Class<?>> m = new LinkedHashMap<>();
    m.put(PrepareTemplate.COMMAND, PrepareTemplate.class);
    m.put(PretrainTemplate.COMMAND, PretrainTemplate.class);
    m.put(EmbedTemplate.COMMAND, EmbedTemplate.class);
    m.put(EvaluateTemplate.COMMAND, EvaluateTemplate.class);
    m.put(IndexTemplate.COMMAND, IndexTemplate.class);
    ENTRY_POINTS = Collections.unmodifiableMap(m);
  }

  private FlexTemplate() {}

  /** {@code symmim}'s arguments for {@code command} launched with {@code args}: the command first, the Dataflow runner by default. */
  public static String[] commandLine(String command, String[] args) {
    List<String> all = new ArrayList<>();
    all.add(command);
    all.addAll(Arrays.asList(args));
    if (Arrays.stream(args).noneMatch(a -> a.startsWith("--runner="))) {
      all.add("--runner=DataflowRunner");
    }
    return all.toArray(new String[0]);
  }

  /** Runs {@code command} with the launcher's {@code args} and exits with its status (what the launcher reads). */
  public static void main(String command, String[] args) {
    System.setProperty(Jobs.SUBMIT_ONLY, "true");
    Symmim.main(commandLine(command, args));
  }

  /** As {@link #main} without the exit: the exit code; bad flags throw IllegalArgumentException. */
  public static int run(String command, String[] args) throws Exception {
    String before = System.getProperty(Jobs.SUBMIT_ONLY);
    System.setProperty(Jobs.SUBMIT_ONLY, "true");
    try {
      return Symmim.run(commandLine(command, args));
    } finally {
      if (before == null) {
        System.clearProperty(Jobs.SUBMIT_ONLY);
      } else {
        System.setProperty(Jobs.SUBMIT_ONLY, before);
      }
    }
  }
}
