/**
 * Option groups, one Beam {@code PipelineOptions} interface per concern (data, output, encoder
 * architecture, contrastive branch, masks, augmentation, optimisation, training run, device,
 * inference, evaluation), composed into each command's options; their {@code @Description},
 * {@code @Default} and {@code @Validation.Required} are the single source of the CLI, the help
 * text, the Flex Template metadata and run.json ({@link dev.symmim.pipelines.options.OptionDocs}).
 * Flag enums and {@link dev.symmim.pipelines.options.Flags} checks; {@code --config} replay of a
 * run's recorded flags ({@link dev.symmim.pipelines.options.RecordedFlags}). Depends on model/ enums
 * and transforms/io (plus transforms/dataset for the manifest a training command reads); no stage package.
 */
package dev.symmim.pipelines.options;
