package dev.symmim.transforms.evaluate;

/**
 * Feature health of an embedding set, next to its protocol: per-dimension std of the normalized
 * features and the effective rank, to spot collapse.
 */
public record HealthResult(String protocol, int dim, long rows, double meanStd, double minStd, double maxStd,
    int deadDims, double effectiveRank) {}
