/** Vision Transformer encoder built from plain parameters: pre-LN blocks, patch embedding, sin-cos positions. */
package dev.symmim.model.vit;
