/** Runnable symmim jobs, one package per stage (prepare, pretrain, finetune, embed, evaluate, index), multi-stage workflows, the report, benchmarks, shared options and runner set-up, and the {@code symmim} command line (cli). */
package dev.symmim.pipelines;
