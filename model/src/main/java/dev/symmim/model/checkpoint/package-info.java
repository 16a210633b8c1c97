/** Bitwise checkpoints: named float tensors plus JSON config and training state. */
package dev.symmim.model.checkpoint;
