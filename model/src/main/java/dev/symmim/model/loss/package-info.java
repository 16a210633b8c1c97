/** Losses: masked-patch reconstruction (L1 / normalized-pixel MSE) and InfoNCE. */
package dev.symmim.model.loss;
