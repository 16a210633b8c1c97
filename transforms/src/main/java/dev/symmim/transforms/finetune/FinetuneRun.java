package dev.symmim.transforms.finetune;

import dev.symmim.transforms.training.GcsEndpoint;
import java.io.Serializable;

/**
 * Everything one fine-tuning run needs, as one serializable value (the element the
 * {@link RunFinetuning} DoFn receives).
 *
 * @param dataDir prepared dataset directory (manifest.json + train and val shards); local or any Beam filesystem
 * @param runDir run directory (checkpoints/, metrics.jsonl, evaluations.jsonl, metrics.json, run.json): a path or gs:// URI
 * @param configJson the {@code FineTuneConfig} as JSON (its totalSteps = epochs * steps per epoch)
 * @param pretrained the pretraining checkpoint directory (a path or URI) whose encoder initialises the
 *     classifier, or a timm-named {@code .safetensors} file (path or URI) holding one, null for a random
 *     (seeded) encoder
 * @param branch the checkpoint's encoder to start from: {@code online} or {@code momentum}
 * @param labels which train labels the run may use
 * @param epochs passes over the labelled subset
 * @param checkpointEveryMinutes extra checkpoints every this many minutes of training (0: none)
 * @param evalEveryEpochs evaluate on the val split every this many epochs (0: only at the end)
 * @param runInfoJson extra facts for run.json (code version, flags), a JSON object
 */
public record FinetuneRun(
    String dataDir,
    String runDir,
    String configJson,
    String pretrained,
    String branch,
    LabelSelection labels,
    int epochs,
    int stages,
    long checkpointEverySteps,
    double checkpointEveryMinutes,
    int loaderThreads,
    int maxRollbacks,
    double logEverySeconds,
    int metricsEverySteps,
    int evalEveryEpochs,
    String runInfoJson,
    GcsEndpoint gcsEndpoint)
    implements Serializable {
  public FinetuneRun {
    gcsEndpoint = gcsEndpoint == null ? GcsEndpoint.GOOGLE : gcsEndpoint;
  }

  /**
   * The labelled subset: {@code fraction} of each class (0 < f <= 1) or, when {@code perClass > 0},
   * that many examples of each class; class-balanced, drawn with {@code seed}, nested across sizes.
   */
  public record LabelSelection(double fraction, int perClass, long seed) implements Serializable {
    public String describe() {
      return perClass > 0 ? perClass + " labels per class" : String.format("%s%% of the labels", 100 * fraction);
    }
  }
}
