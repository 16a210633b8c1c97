package dev.symmim.model.checkpoint;

/**
 * The scalar state of a run at a checkpoint: applied updates, refused (NaN-guarded) steps, the
 * AdamW bias-correction counter and the mask RNG state.
 */
public record TrainingState(long step, long refusedSteps, long optimizerUpdates, long rngState) {}
