package dev.symmim.transforms.evaluate;

/** A linear probe's accuracy (fractions) on frozen features, next to its protocol. */
public record ProbeResult(String protocol, long train, long test, double trainTop1, double top1, double finalLoss) {}
