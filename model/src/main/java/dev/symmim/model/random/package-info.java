/** Reproducible random streams with an explicit, saveable state (SplitMix64). */
package dev.symmim.model.random;
