/** Label-efficient fine-tuning as a Beam stage: the fine-tuning task of the shared training loop (labelled subset, views, classifier trainer, val evaluation), its checkpoint layout and result, and the {@code RunFinetuning} transform. */
package dev.symmim.transforms.finetune;
