package dev.symmim.model.train;

import ai.djl.ndarray.NDArray;

/** The loss of one step as arrays: {@code total = mim + lambda * con}. */
record LossParts(NDArray total, NDArray mim, NDArray con) {}
