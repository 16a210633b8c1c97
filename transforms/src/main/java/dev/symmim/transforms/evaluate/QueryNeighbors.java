package dev.symmim.transforms.evaluate;

import java.io.Serializable;
import java.util.List;

/** A query's label and its nearest bank vectors, best first. */
public record QueryNeighbors(int label, List<Neighbor> neighbors) implements Serializable {}
