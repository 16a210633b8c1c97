package dev.symmim.transforms.embed;

import java.io.Serializable;

/**
 * One prepared shard to read: where, which split, and what the dataset manifest promises about it.
 *
 * @param file the shard's full path or URI
 */
public record ShardRef(String split, String file, long records, String sha256) implements Serializable {}
