package dev.symmim.model.finetune;

/**
 * What one fine-tuning step did. {@code refused} means the NaN/Inf guard rejected the step:
 * no parameter, moment, counter or RNG changed and {@code reason} says why; {@code step} is the
 * number of applied updates after this call. {@code trainTop1} is the top-1 accuracy of the
 * batch's logits before the update (augmented views, drop-path on).
 */
public record FineTuneStepResult(long step, double loss, double learningRate, double gradNorm, double trainTop1,
    boolean refused, String reason) {

  @Override
  public String toString() {
    return String.format("step %d loss %.5f lr %.3e |g| %.4f top1 %.3f%s", step, loss, learningRate, gradNorm,
        trainTop1, refused ? " REFUSED: " + reason : "");
  }
}
