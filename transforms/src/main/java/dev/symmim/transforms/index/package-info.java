/** Nearest-neighbour index over embeddings: sharded Lucene HNSW build ({@code BuildHnswIndex}), manifest and search. */
package dev.symmim.transforms.index;
