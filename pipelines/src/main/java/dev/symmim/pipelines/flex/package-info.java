/**
 * Dataflow Flex Template entry points: one main class per stage that runs as one Dataflow job
 * (prepare, pretrain, embed, evaluate, index), each {@code symmim <stage>} with the launcher's
 * {@code --name=value} arguments and no positional command. Uses the CLI ({@code cli}); no stage uses it.
 */
package dev.symmim.pipelines.flex;
