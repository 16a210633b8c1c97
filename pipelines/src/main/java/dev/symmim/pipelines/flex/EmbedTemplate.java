package dev.symmim.pipelines.flex;

/**
 * The Flex Template entry point of {@code symmim embed}: {@code FLEX_TEMPLATE_JAVA_MAIN_CLASS} of the
 * embed template (infra/dataflow/flex.sh). Its parameters are embed's flags (infra/dataflow/metadata/embed.json).
 */
public final class EmbedTemplate {
  /** The command this entry point runs. */
  public static final String COMMAND = "embed";

  private EmbedTemplate() {}

  public static void main(String[] args) {
    FlexTemplate.main(COMMAND, args);
  }

  /** {@link #main} without the exit: the exit code; bad flags throw IllegalArgumentException. */
  public static int run(String[] args) throws Exception {
    return FlexTemplate.run(COMMAND, args);
  }
}
