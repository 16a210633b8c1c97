/** Embedding inference: CLS features of uint8 images from a checkpoint. */
package dev.symmim.model.infer;
