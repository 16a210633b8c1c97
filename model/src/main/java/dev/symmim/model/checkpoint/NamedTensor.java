package dev.symmim.model.checkpoint;

import java.util.Arrays;

/** An fp32 tensor with a name and a shape, as stored in a checkpoint. */
public record NamedTensor(String name, long[] shape, float[] data) {
  public NamedTensor {
    long size = 1;
    for (long d : shape) {
      size *= d;
    }
    if (size != data.length) {
      throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " does not hold " + data.length);
    }
  }
}
