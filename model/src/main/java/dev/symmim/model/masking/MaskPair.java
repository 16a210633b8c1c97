package dev.symmim.model.masking;

/** The masks of one sample: {@code online} for the online branch (M1), {@code momentum} for the EMA branch (M2). */
public record MaskPair(Mask online, Mask momentum) {}
