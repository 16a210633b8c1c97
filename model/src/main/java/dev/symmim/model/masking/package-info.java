/** Patch-grid masks: SymMIM checkerboards (M1, M2) and the MAE/SimMIM random baselines. */
package dev.symmim.model.masking;
