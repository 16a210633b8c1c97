package dev.symmim.model.vit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.List;

/**
 * Packs parameters into one contiguous fp32 buffer and rebinds each parameter to a leaf view of
 * it (shared storage, own gradient). Optimizer, EMA and clipping then touch all parameters with a
 * handful of fused ops on {@link #flat()} instead of a loop of small ops per parameter (per-op
 * overhead is what limits small models on a GPU). Gradients are gathered with one concat.
 */
public final class ParameterBuffer {
  private final List<Parameter> parameters;
  private final long[] offsets;
  private final NDArray flat;

  private ParameterBuffer(List<Parameter> parameters, long[] offsets, NDArray flat) {
    this.parameters = List.copyOf(parameters);
    this.offsets = offsets;
    this.flat = flat;
  }

  /**
   * Copies the current values of {@code parameters} into a new buffer in {@code manager} and makes
   * every parameter a view of it; {@code trainable} views require gradients.
   */
  public static ParameterBuffer pack(List<Parameter> parameters, NDManager manager, boolean trainable) {
    long[] offsets = new long[parameters.size() + 1];
    NDList pieces = new NDList(parameters.size());
    for (int i = 0; i < parameters.size(); i++) {
      NDArray a = parameters.get(i).array();
      offsets[i + 1] = offsets[i] + a.size();
      NDArray detached = a.stopGradient();
      pieces.add(detached.reshape(-1));
      detached.close();
    }
    NDArray flat = NDArrays.concat(pieces, 0);
    flat.attach(manager);
    pieces.close();
    for (int i = 0; i < parameters.size(); i++) {
      Parameter p = parameters.get(i);
      Shape shape = p.array().getShape();
      NDArray view = flat.get(new NDIndex("{}:{}", offsets[i], offsets[i + 1]));
      NDArray shaped = view.reshape(shape);
      NDArray leaf = shaped.stopGradient();
      shaped.close();
      view.close();
      if (trainable) {
        leaf.setRequiresGradient(true);
      }
      NDArray old = p.array();
      p.rebind(leaf);
      old.close();
    }
    return new ParameterBuffer(parameters, offsets, flat);
  }

  /** The packed values; in-place ops on it update every parameter. */
  public NDArray flat() {
    return flat;
  }

  public List<Parameter> parameters() {
    return parameters;
  }

  /** Total number of values. */
  public long size() {
    return offsets[offsets.length - 1];
  }

  /** Start of parameter {@code i} in {@link #flat()}. */
  public long offset(int i) {
    return offsets[i];
  }

  /** The first {@code length} values as a view (e.g. the encoder + projector prefix). */
  public NDArray prefix(long length) {
    return flat.get(new NDIndex("0:{}", length));
  }

  /** A 1-for-decayed, 0-otherwise mask over {@link #flat()} in {@code manager}, from the decay flags. */
  public NDArray decayMask(NDManager manager) {
    NDList parts = new NDList(parameters.size());
    for (Parameter p : parameters) {
      parts.add(p.decay() ? manager.ones(new Shape(p.size())) : manager.zeros(new Shape(p.size())));
    }
    NDArray mask = NDArrays.concat(parts, 0);
    parts.close();
    return mask;
  }

  /** All gradients as one flat array owned by the step. */
  public NDArray gradients(StepContext ctx) {
    NDList grads = new NDList(parameters.size());
    for (Parameter p : parameters) {
      grads.add(ctx.own(p.array().getGradient()).reshape(-1));
    }
    return NDArrays.concat(grads, 0);
  }

  public void zeroGradients() {
    for (Parameter p : parameters) {
      JniUtils.zeroGrad((PtNDArray) p.array());
    }
  }

  /** Overwrites the buffer in place (the parameter views stay bound to it). */
  public void copyFrom(float[] values) {
    copyInto(flat, values);
  }

  /** Overwrites {@code target} in place with {@code values} (no storage swap, unlike {@code NDArray.set}). */
  public static void copyInto(NDArray target, float[] values) {
    if (values.length != target.size()) {
      throw new IllegalArgumentException("expected " + target.size() + " values, got " + values.length);
    }
    try (NDArray source = target.getManager().create(values, target.getShape())) {
      target.set(new NDIndex(":"), source);
    }
  }

  /** {@code values} of the whole buffer cut into per-parameter arrays. */
  public float[] slice(float[] values, int i) {
    return java.util.Arrays.copyOfRange(values, (int) offsets[i], (int) offsets[i + 1]);
  }
}
