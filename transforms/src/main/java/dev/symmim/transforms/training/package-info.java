/**
 * The training-loop skeleton every training stage shares (pretraining, fine-tuning): the loop in
 * named steps, the run directory (local or gs://), checkpoint stores ({@code LocalCheckpointStore},
 * {@code GcsCheckpointStore}) and locating a run's checkpoint, the train split and its batch plan and
 * background loader, metrics.jsonl, TensorBoard event files ({@code TensorBoardLog}) and the progress
 * line. May depend on model/ and dataset/; no stage.
 */
package dev.symmim.transforms.training;
