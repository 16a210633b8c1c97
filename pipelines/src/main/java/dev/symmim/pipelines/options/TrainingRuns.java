package dev.symmim.pipelines.options;

import dev.symmim.model.vit.VitSpec;
import dev.symmim.transforms.dataset.DatasetManifest;
import java.io.IOException;

/** What every training command (pretrain, finetune) checks and derives the same way from its options. */
public final class TrainingRuns {
  private TrainingRuns() {}

  /** Checks the run flags on their own, against {@code epochs}; the message names the flag. */
  public static void validate(TrainingRunOptions o, int epochs) {
    Flags.check(o.getStages() >= 1 && o.getStages() <= epochs, "stages", o.getStages(),
        "must be in [1, --epochs=" + epochs + "]");
    Flags.check(o.getCheckpointEverySteps() >= 0, "checkpointEverySteps", o.getCheckpointEverySteps(), "must be >= 0");
    Flags.check(o.getCheckpointEveryMinutes() >= 0, "checkpointEveryMinutes", o.getCheckpointEveryMinutes(),
        "must be >= 0");
    Flags.check(o.getThreads() >= 0, "threads", o.getThreads(), "must be >= 0");
    Flags.check(o.getLoaderThreads() >= 1, "loaderThreads", o.getLoaderThreads(), "must be >= 1");
    Flags.check(o.getMetricsEverySteps() >= 1, "metricsEverySteps", o.getMetricsEverySteps(), "must be >= 1");
    Flags.check(o.getMaxRollbacks() >= 0, "maxRollbacks", o.getMaxRollbacks(), "must be >= 0");
  }

  /**
   * The prepared dataset of {@code --data} that a training command reads: its manifest, refused naming the flag
   * when it cannot be read or lacks a non-empty train split, the image size or the channel statistics.
   */
  public static DatasetManifest trainingData(String data) {
    DatasetManifest m;
    try {
      m = DatasetManifest.readFrom(data);
    } catch (IOException e) {
      throw new IllegalArgumentException("--data=" + data + ": " + e.getMessage(), e);
    }
    DatasetManifest.Split train = m.splits() == null ? null : m.splits().get("train");
    Flags.check(train != null && train.records() > 0 && m.imageSize() > 0 && m.channelMean() != null
        && m.channelStd() != null, "data", data, "has an invalid manifest (no train split, image size or channel stats)");
    return m;
  }

  /** Torch intra-op threads: --threads, else 1 with --deterministic, else 0 (torch's default). */
  public static int threads(TrainingRunOptions o) {
    return o.getThreads() > 0 ? o.getThreads() : (o.getDeterministic() ? 1 : 0);
  }

  /** The encoder: the preset with the --dim/--depth/--heads overrides, at {@code size} px (--viewSize if set). */
  public static VitSpec encoder(EncoderOptions o, int size, int channels) {
    int viewSize = o.getViewSize() > 0 ? o.getViewSize() : size;
    Flags.check(viewSize % o.getPatchSize() == 0, "patchSize", o.getPatchSize(), "does not divide the image size "
        + viewSize);
    VitSpec base = VitSpec.Size.valueOf(o.getModel().name().toUpperCase()).spec(viewSize, o.getPatchSize(), channels);
    int dim = o.getDim() > 0 ? o.getDim() : base.dim();
    int heads = o.getHeads() > 0 ? o.getHeads() : base.heads();
    Flags.check(dim % heads == 0, "heads", heads, "does not divide the width " + dim);
    return new VitSpec(viewSize, o.getPatchSize(), channels, dim, o.getDepth() > 0 ? o.getDepth() : base.depth(), heads,
        base.mlpRatio());
  }

  /** Doubles as floats (the manifest's channel statistics for the model's normalization). */
  public static float[] floats(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }
}
