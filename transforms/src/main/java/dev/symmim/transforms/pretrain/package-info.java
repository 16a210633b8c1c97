/** SymMIM pretraining as a Beam stage: the pretraining task of the shared training loop, its overhead benchmark and the {@code RunPretraining} transform. */
package dev.symmim.transforms.pretrain;
