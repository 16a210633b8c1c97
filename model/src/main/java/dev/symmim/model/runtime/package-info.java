/** PyTorch engine setup: device choice, thread counts, seeds, bf16 support probing. */
package dev.symmim.model.runtime;
