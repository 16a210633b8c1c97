/** {@code symmim prepare}: its options and pipeline wiring over transforms/dataset and transforms/images. */
package dev.symmim.pipelines.prepare;
