/** Beam-free benchmarks: training step time, matmul roofline, NDArray leak soak. */
package dev.symmim.model.bench;
