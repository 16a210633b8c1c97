/** {@code symmim finetune}: its options, the run planned from them (dataset labels, checkpoint, recipe) and the job over transforms/finetune. */
package dev.symmim.pipelines.finetune;
