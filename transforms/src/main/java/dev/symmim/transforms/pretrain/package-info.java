/** SymMIM pretraining as a Beam stage: data loading, checkpoints, metrics and the {@code RunPretraining} transform. */
package dev.symmim.transforms.pretrain;
