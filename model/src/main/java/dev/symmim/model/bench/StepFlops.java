package dev.symmim.model.bench;

import dev.symmim.model.config.PretrainConfig;
import dev.symmim.model.vit.VitSpec;

/**
 * Analytical matmul FLOPs (2 per multiply-add) of one SymMIM training step; elementwise ops,
 * norms and softmax are not counted. Backward is counted as twice the forward.
 */
public final class StepFlops {
  private StepFlops() {}

  public static double perStep(PretrainConfig c, int batch) {
    VitSpec s = c.encoder();
    double d = s.dim();
    double encoder = s.forwardFlops();
    double decoder = 2.0 * s.numPatches() * d * s.patchPixels();
    double h = c.heads().projectorHidden();
    double o = c.heads().projectorOut();
    double projector = 2 * (d * h + h * h + h * o);
    double predictor = 2 * (o * c.heads().predictorHidden() + c.heads().predictorHidden() * o);
    double online = encoder + decoder + projector + predictor;
    double momentum = encoder + projector;
    int views = c.losses().symmetricContrastive() ? 2 : 1;
    return batch * views * (3 * online + momentum);
  }
}
