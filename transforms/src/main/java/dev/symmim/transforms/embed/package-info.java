/** Batched inference: prepared examples -> embedding Avro, Vertex AI export, embeddings manifest. */
package dev.symmim.transforms.embed;
