package dev.symmim.transforms.index;

import java.io.Serializable;

/**
 * One search result: the embedding's id, split, label (-1 when unlabeled), label name (null when
 * unlabeled) and the cosine similarity to the query.
 */
public record Neighbor(String id, String split, int label, String labelName, float score) implements Serializable {}
