package dev.symmim.transforms.pretrain;

import java.io.Serializable;
import dev.symmim.transforms.training.GcsEndpoint;
import java.util.List;

/**
 * Everything one pretraining run needs, as one serializable value (the element the
 * {@link RunPretraining} DoFn receives): where the data and the run live, the training config
 * (as {@code PretrainConfig} JSON) and the run's schedule.
 *
 * @param dataDir prepared dataset directory (manifest.json + train shards); local or any Beam filesystem
 * @param runDir run directory (checkpoints/, metrics.jsonl, run.json): a local path or gs:// URI
 * @param configJson the {@code PretrainConfig} as JSON (its totalSteps = epochs * stepsPerEpoch)
 * @param epochs passes over the train split
 * @param stages checkpointed stages the epochs are split into
 * @param checkpointEverySteps extra checkpoints every this many batches (0: only at stage ends)
 * @param checkpointEveryMinutes extra checkpoints every this many minutes of training (0: none)
 * @param maxImages use only the first this many train images (0: all)
 * @param loaderThreads background threads decoding images and making views
 * @param maxRollbacks NaN-guard rollbacks allowed before the run stops
 * @param logEverySeconds at most one progress line per this many seconds
 * @param metricsEverySteps one metrics.jsonl record per this many batches
 * @param runInfoJson extra facts for run.json (code version, flags), a JSON object
 * @param faultBatches batches whose first view is replaced by NaN (fault injection for tests)
 * @param bareLoopSteps the data-pipeline overhead benchmark: time this many steps of a second
 *     trainer on one in-memory batch, in blocks interleaved with the stage's steps (0: skip)
 * @param gcsEndpoint which GCS a gs:// {@code runDir} is on
 * @param initWeights a timm-named safetensors file (path or URI) whose encoder initialises the online
 *     and momentum encoders; null for the seeded random initialisation
 */
public record PretrainRun(
    String dataDir,
    String runDir,
    String configJson,
    int epochs,
    int stages,
    long checkpointEverySteps,
    double checkpointEveryMinutes,
    int maxImages,
    int loaderThreads,
    int maxRollbacks,
    double logEverySeconds,
    int metricsEverySteps,
    String runInfoJson,
    List<Long> faultBatches,
    int bareLoopSteps,
    GcsEndpoint gcsEndpoint,
    String initWeights)
    implements Serializable {
  public PretrainRun {
    faultBatches = List.copyOf(faultBatches);
    gcsEndpoint = gcsEndpoint == null ? GcsEndpoint.GOOGLE : gcsEndpoint;
  }

  /** A run from the seeded random initialisation (no {@code initWeights}). */
  public PretrainRun(String dataDir, String runDir, String configJson, int epochs, int stages,
      long checkpointEverySteps, double checkpointEveryMinutes, int maxImages, int loaderThreads, int maxRollbacks,
      double logEverySeconds, int metricsEverySteps, String runInfoJson, List<Long> faultBatches, int bareLoopSteps,
      GcsEndpoint gcsEndpoint) {
    this(dataDir, runDir, configJson, epochs, stages, checkpointEverySteps, checkpointEveryMinutes, maxImages, loaderThreads, maxRollbacks,
        logEverySeconds, metricsEverySteps, runInfoJson, faultBatches, bareLoopSteps, gcsEndpoint, null);
  }
}
