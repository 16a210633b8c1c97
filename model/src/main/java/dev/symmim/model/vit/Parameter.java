package dev.symmim.model.vit;

import ai.djl.ndarray.NDArray;

/**
 * A named fp32 weight living in the model's manager. {@code decay} says whether AdamW applies
 * weight decay to it (false for biases, norms and tokens).
 */
public final class Parameter {
  private final String name;
  private NDArray array;
  private final boolean decay;

  Parameter(String name, NDArray array, boolean decay) {
    this.name = name;
    this.array = array;
    this.decay = decay;
    array.setName(name);
  }

  public String name() {
    return name;
  }

  public NDArray array() {
    return array;
  }

  public boolean decay() {
    return decay;
  }

  /** Points this parameter at another array of the same shape (used by {@link ParameterBuffer}). */
  void rebind(NDArray replacement) {
    if (!replacement.getShape().equals(array.getShape())) {
      throw new IllegalArgumentException(name + ": cannot rebind " + array.getShape() + " to " + replacement.getShape());
    }
    replacement.setName(name);
    array = replacement;
  }

  public long size() {
    return array.size();
  }

  @Override
  public String toString() {
    return name + array.getShape();
  }
}
