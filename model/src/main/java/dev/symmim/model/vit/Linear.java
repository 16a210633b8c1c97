package dev.symmim.model.vit;

import ai.djl.ndarray.NDArray;

/** {@code y = x W^T + b} over the last axis. */
public final class Linear extends Module {
  private final Parameter weight;
  private final Parameter bias;

  public Linear(ParameterFactory f, int in, int out, boolean bias) {
    this.weight = register(f.xavier("weight", out, in));
    this.bias = bias ? register(f.constant("bias", 0f, new ai.djl.ndarray.types.Shape(out))) : null;
  }

  public NDArray forward(StepContext ctx, NDArray x) {
    NDArray b = bias == null ? null : ctx.weight(bias);
    return x.getNDArrayInternal().linear(x, ctx.weight(weight), b).singletonOrThrow();
  }

  public Parameter weight() {
    return weight;
  }
}
