package dev.symmim.model.vit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.symmim.model.random.SeededRandom;

/**
 * Creates named parameters in one manager, initialized from a Java {@link SeededRandom} so that
 * initialization is bitwise reproducible and independent of the engine's RNG. Initializers follow
 * MAE: Xavier-uniform linear weights, zero biases, unit norms, N(0, 0.02) tokens.
 */
public final class ParameterFactory {
  private final NDManager manager;
  private final SeededRandom rng;
  private final boolean trainable;
  private final String prefix;

  public ParameterFactory(NDManager manager, SeededRandom rng, boolean trainable) {
    this(manager, rng, trainable, "");
  }

  private ParameterFactory(NDManager manager, SeededRandom rng, boolean trainable, String prefix) {
    this.manager = manager;
    this.rng = rng;
    this.trainable = trainable;
    this.prefix = prefix;
  }

  /** A factory whose parameter names are prefixed by {@code name + "."}. */
  public ParameterFactory scope(String name) {
    return new ParameterFactory(manager, rng, trainable, prefix + name + ".");
  }

  public NDManager manager() {
    return manager;
  }

  /** Xavier-uniform weight of a linear map {@code in -> out}, stored {@code (out, in)}. */
  public Parameter xavier(String name, int out, int in) {
    double a = Math.sqrt(6.0 / (in + out));
    float[] w = new float[out * in];
    for (int k = 0; k < w.length; k++) {
      w[k] = (float) rng.uniform(-a, a);
    }
    return create(name, w, new Shape(out, in), true);
  }

  public Parameter normal(String name, double std, Shape shape) {
    float[] w = new float[(int) shape.size()];
    for (int k = 0; k < w.length; k++) {
      w[k] = (float) (std * rng.nextGaussian());
    }
    return create(name, w, shape, false);
  }

  public Parameter constant(String name, float value, Shape shape) {
    float[] w = new float[(int) shape.size()];
    java.util.Arrays.fill(w, value);
    return create(name, w, shape, false);
  }

  /** A fixed (non-learnable) array, e.g. the position embedding. */
  public NDArray buffer(float[] values, Shape shape) {
    return manager.create(values, shape);
  }

  private Parameter create(String name, float[] values, Shape shape, boolean decay) {
    NDArray array = manager.create(values, shape);
    if (trainable) {
      array.setRequiresGradient(true);
    }
    return new Parameter(prefix + name, array, decay);
  }
}
