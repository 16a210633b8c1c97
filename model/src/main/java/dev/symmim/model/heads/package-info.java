/** Heads on top of the encoder: MoCo v3 projector/predictor MLPs with BatchNorm. */
package dev.symmim.model.heads;
