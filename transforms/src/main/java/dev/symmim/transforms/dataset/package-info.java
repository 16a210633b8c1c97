/** Turning examples into a dataset: deduplication, splits, labels, equal shards, statistics, manifest. */
package dev.symmim.transforms.dataset;
