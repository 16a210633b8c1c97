package dev.symmim.model.vit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The scope of one forward/backward step: a sub-manager that owns every intermediate array (closed
 * at the end of the step, so nothing leaks into the model's manager) and the compute dtype.
 *
 * <p>DJL pitfalls handled here: scalars used inside the gradient tape are arrays on this manager
 * ({@link #scalar}), never Java floats; arrays produced by ops whose first operand is a parameter
 * are moved here ({@link #own}); weights are read through {@link #weight}, the hook for a reduced
 * compute dtype with fp32 master weights (identity in fp32; DJL 0.36's casts are not differentiable).
 */
public final class StepContext implements AutoCloseable {
  private final NDManager manager;
  private final DataType computeType;

  public StepContext(NDManager parent, DataType computeType) {
    this.manager = parent.newSubManager();
    this.computeType = computeType;
  }

  public NDManager manager() {
    return manager;
  }

  public DataType computeType() {
    return computeType;
  }

  /** The parameter's array in the compute dtype (a cast owned by this step in bf16 mode). */
  public NDArray weight(Parameter p) {
    return cast(p.array());
  }

  /** Any array (e.g. a fixed buffer) in the compute dtype. */
  public NDArray cast(NDArray a) {
    if (a.getDataType() == computeType) {
      return a;
    }
    return own(a.toType(computeType, false));
  }

  /** A 0-d fp32 array on this step's manager (type promotion keeps bf16 operands bf16). */
  public NDArray scalar(double value) {
    return manager.create((float) value);
  }

  /** fp32 input array on this step's manager. */
  public NDArray create(float[] data, Shape shape) {
    return manager.create(data, shape);
  }

  /** Moves an array into this step's manager so it is freed with the step. */
  public NDArray own(NDArray a) {
    a.attach(manager);
    return a;
  }

  @Override
  public void close() {
    manager.close();
  }
}
