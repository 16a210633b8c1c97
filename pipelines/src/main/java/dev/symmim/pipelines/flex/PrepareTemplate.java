package dev.symmim.pipelines.flex;

/**
 * The Flex Template entry point of {@code symmim prepare}: {@code FLEX_TEMPLATE_JAVA_MAIN_CLASS} of the
 * prepare template (infra/dataflow/flex.sh). Its parameters are prepare's flags (infra/dataflow/metadata/prepare.json).
 */
public final class PrepareTemplate {
  /** The command this entry point runs. */
  public static final String COMMAND = "prepare";

  private PrepareTemplate() {}

  public static void main(String[] args) {
    FlexTemplate.main(COMMAND, args);
  }

  /** {@link #main} without the exit: the exit code; bad flags throw IllegalArgumentException. */
  public static int run(String[] args) throws Exception {
    return FlexTemplate.run(COMMAND, args);
  }
}
