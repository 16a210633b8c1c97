/** {@code symmim finetune} will live here (label-efficient fine-tuning from a pretraining checkpoint). */
package dev.symmim.pipelines.finetune;
