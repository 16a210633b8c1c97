/** {@code symmim export}: a checkpoint's encoder as a timm-named model.safetensors + config.json + README.md. */
package dev.symmim.pipelines.export;
