package dev.symmim.model.heads;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import dev.symmim.model.vit.Linear;
import dev.symmim.model.vit.Module;
import dev.symmim.model.vit.ParameterFactory;
import dev.symmim.model.vit.StepContext;
import java.util.ArrayList;
import java.util.List;

/**
 * MoCo v3's {@code _build_mlp}: {@code layers} bias-free linears; every hidden one followed by
 * BatchNorm + ReLU, the last by a BatchNorm without affine. Projector: 3 layers
 * {@code D -> hidden -> hidden -> out}; predictor: 2 layers {@code out -> hidden -> out}.
 */
public final class MlpHead extends Module {
  private final List<Linear> linears = new ArrayList<>();
  private final List<BatchNorm> norms = new ArrayList<>();

  public MlpHead(ParameterFactory f, int layers, int in, int hidden, int out) {
    for (int l = 0; l < layers; l++) {
      int a = l == 0 ? in : hidden;
      int b = l == layers - 1 ? out : hidden;
      linears.add(register(new Linear(f.scope("layers." + l + ".linear"), a, b, false)));
      norms.add(register(new BatchNorm(f.scope("layers." + l + ".bn"), b, l < layers - 1)));
    }
  }

  public static MlpHead projector(ParameterFactory f, int dim, int hidden, int out) {
    return new MlpHead(f, 3, dim, hidden, out);
  }

  public static MlpHead predictor(ParameterFactory f, int dim, int hidden) {
    return new MlpHead(f, 2, dim, hidden, dim);
  }

  public NDArray forward(StepContext ctx, NDArray x) {
    for (int l = 0; l < linears.size(); l++) {
      x = norms.get(l).forward(ctx, linears.get(l).forward(ctx, x));
      if (l < linears.size() - 1) {
        x = Activation.relu(x);
      }
    }
    return x;
  }
}
