/** The immutable, JSON-serializable pretraining configuration and its presets. */
package dev.symmim.model.config;
