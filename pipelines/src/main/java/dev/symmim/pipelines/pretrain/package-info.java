/** {@code symmim pretrain}: its options, the run planned from them (typed config groups) and the job over transforms/pretrain. */
package dev.symmim.pipelines.pretrain;
