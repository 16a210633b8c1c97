package dev.symmim.model.vit;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/** Transformer MLP: Linear(D, hidden) - GELU - Linear(hidden, D). */
public final class Mlp extends Module {
  private final Linear fc1;
  private final Linear fc2;

  public Mlp(ParameterFactory f, int dim, int hidden) {
    fc1 = register(new Linear(f.scope("fc1"), dim, hidden, true));
    fc2 = register(new Linear(f.scope("fc2"), hidden, dim, true));
  }

  public NDArray forward(StepContext ctx, NDArray x) {
    return fc2.forward(ctx, Activation.gelu(fc1.forward(ctx, x)));
  }
}
