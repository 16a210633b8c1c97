package dev.symmim.pipelines.flex;

/**
 * The Flex Template entry point of {@code symmim evaluate}: {@code FLEX_TEMPLATE_JAVA_MAIN_CLASS} of the
 * evaluate template (infra/dataflow/flex.sh). Its parameters are evaluate's flags (infra/dataflow/metadata/evaluate.json).
 */
public final class EvaluateTemplate {
  /** The command this entry point runs. */
  public static final String COMMAND = "evaluate";

  private EvaluateTemplate() {}

  public static void main(String[] args) {
    FlexTemplate.main(COMMAND, args);
  }

  /** {@link #main} without the exit: the exit code; bad flags throw IllegalArgumentException. */
  public static int run(String[] args) throws Exception {
    return FlexTemplate.run(COMMAND, args);
  }
}
