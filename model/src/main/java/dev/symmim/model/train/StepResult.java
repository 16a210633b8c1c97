package dev.symmim.model.train;

/**
 * What one training step did. {@code refused} means the NaN/Inf guard rejected the step: no
 * parameter, moment or EMA changed and {@code reason} says why; {@code step} is the number of
 * applied updates after this call.
 */
public record StepResult(long step, double loss, double mimLoss, double conLoss, double learningRate,
    double momentum, double gradNorm, boolean refused, String reason) {

  @Override
  public String toString() {
    return String.format("step %d loss %.5f (mim %.5f con %.5f) lr %.3e m %.5f |g| %.4f%s", step, loss, mimLoss,
        conLoss, learningRate, momentum, gradNorm, refused ? " REFUSED: " + reason : "");
  }
}
