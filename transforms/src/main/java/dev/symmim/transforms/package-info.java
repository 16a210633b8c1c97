/** Reusable composite PTransforms of the symmim pipelines, grouped by domain. */
package dev.symmim.transforms;
