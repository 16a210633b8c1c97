package dev.symmim.pipelines.flex;

/**
 * The Flex Template entry point of {@code symmim pretrain}: {@code FLEX_TEMPLATE_JAVA_MAIN_CLASS} of the
 * pretrain template (infra/dataflow/flex.sh). Its parameters are pretrain's flags (infra/dataflow/metadata/pretrain.json).
 */
public final class PretrainTemplate {
  /** The command this entry point runs. */
  public static final String COMMAND = "pretrain";

  private PretrainTemplate() {}

  public static void main(String[] args) {
    FlexTemplate.main(COMMAND, args);
  }

  /** {@link #main} without the exit: the exit code; bad flags throw IllegalArgumentException. */
  public static int run(String[] args) throws Exception {
    return FlexTemplate.run(COMMAND, args);
  }
}
