package dev.symmim.pipelines.flex;

/**
 * The Flex Template entry point of {@code symmim index}: {@code FLEX_TEMPLATE_JAVA_MAIN_CLASS} of the
 * index template (infra/dataflow/flex.sh). Its parameters are index's flags (infra/dataflow/metadata/index.json).
 */
public final class IndexTemplate {
  /** The command this entry point runs. */
  public static final String COMMAND = "index";

  private IndexTemplate() {}

  public static void main(String[] args) {
    FlexTemplate.main(COMMAND, args);
  }

  /** {@link #main} without the exit: the exit code; bad flags throw IllegalArgumentException. */
  public static int run(String[] args) throws Exception {
    return FlexTemplate.run(COMMAND, args);
  }
}
