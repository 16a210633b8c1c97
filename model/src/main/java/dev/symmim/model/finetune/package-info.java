/** End-to-end fine-tuning of a (SymMIM-pretrained or random) ViT encoder as an image classifier (METHOD.md section 6). */
package dev.symmim.model.finetune;
