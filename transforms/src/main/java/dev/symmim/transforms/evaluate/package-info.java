/**
 * Evaluation of frozen embeddings: distributed blocked k-NN (DINO protocol), linear probe, feature
 * health, 2-D projection. Every result carries its protocol.
 */
package dev.symmim.transforms.evaluate;
