package dev.symmim.transforms.pretrain;

import dev.symmim.transforms.training.GcsEndpoint;
import dev.symmim.transforms.training.TinyDataset;
import java.nio.file.Path;
import java.util.List;

/** Pretraining runs over a {@link TinyDataset}. */
final class TinyRuns {
  private TinyRuns() {}

  static PretrainRun run(Path data, Path runDir, int images, int batch, int epochs, int stages, long every,
      List<Long> faults) {
    return run(data, runDir, images, batch, epochs, stages, every, faults, 0);
  }

  static PretrainRun run(Path data, Path runDir, int images, int batch, int epochs, int stages, long every,
      List<Long> faults, int bareLoopSteps) {
    return new PretrainRun(data.toString(), runDir.toString(), TinyDataset.config(images, batch, epochs).toJson(), epochs, stages,
        every, 0, images, 2, 3, 3600, 1, "{}", faults, bareLoopSteps, GcsEndpoint.GOOGLE);
  }
}
