/** The SymMIM training step: model, AdamW, schedules, momentum (EMA) encoder, NaN guard. */
package dev.symmim.model.train;
