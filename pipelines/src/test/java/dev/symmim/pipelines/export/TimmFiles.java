package dev.symmim.pipelines.export;

import dev.symmim.model.checkpoint.Checkpoint;
import dev.symmim.model.checkpoint.NamedTensor;
import dev.symmim.model.checkpoint.Safetensors;
import dev.symmim.model.checkpoint.TimmVitWeights;
import dev.symmim.model.config.ContrastiveHeads;
import dev.symmim.model.config.DeviceKind;
import dev.symmim.model.config.Precision;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.model.config.RunSettings;
import dev.symmim.model.train.SymMimTrainer;
import dev.symmim.model.vit.PositionEmbedding;
import dev.symmim.model.vit.VitSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Timm-named safetensors files of a seeded random encoder, for the --init tests. */
public final class TimmFiles {
  private TimmFiles() {}

  /** The encoder of {@code spec} (seed 7) as timm tensors, edited by {@code edit}, written with {@code metadata}. */
  public static Path write(Path file, VitSpec spec, Map<String, String> metadata,
      Consumer<Map<String, NamedTensor>> edit) throws IOException {
    Checkpoint c;
    try (SymMimTrainer t = new SymMimTrainer(PretrainConfig.of(spec).withHeads(new ContrastiveHeads(16, 8, 16))
        .withRun(new RunSettings(7, Precision.FP32, DeviceKind.CPU, 1, 1)))) {
      c = t.checkpoint();
    }
    Map<String, NamedTensor> timm = new LinkedHashMap<>();
    for (NamedTensor t : TimmVitWeights.export(c.tensors(), "online/", spec,
        PositionEmbedding.sinCos2d(spec.dim(), spec.grid()))) {
      timm.put(t.name(), t);
    }
    edit.accept(timm);
    Files.write(file, Safetensors.write(List.copyOf(timm.values()), metadata));
    return file;
  }
}
