package dev.symmim.model.vit;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.symmim.model.random.SeededRandom;
import org.junit.Test;

public class ParameterBufferTest {
  @Test
  public void parametersAreLeafViewsOfTheFlatBufferWithTheirOwnGradients() {
    try (NDManager m = NDManager.newBaseManager()) {
      Linear layer = new Linear(new ParameterFactory(m, new SeededRandom(1), true), 3, 2, true);
      float[] before = layer.weight().array().toFloatArray();
      ParameterBuffer buffer = ParameterBuffer.pack(layer.parameters(), m, true);
      assertThat(buffer.size(), equalTo(8L));
      assertThat(layer.weight().array().toFloatArray(), equalTo(before));
      assertThat(layer.weight().array().getShape(), equalTo(new Shape(2, 3)));

      // In-place ops on the flat buffer are seen by the parameters.
      buffer.flat().addi(m.create(1f));
      assertThat(layer.weight().array().toFloatArray()[0], equalTo(before[0] + 1f));

      // Gradients reach the views and gather into one flat array.
      try (StepContext ctx = new StepContext(m, DataType.FLOAT32)) {
        try (GradientCollector tape = Engine.getInstance().newGradientCollector()) {
          NDArray x = ctx.manager().ones(new Shape(4, 3));
          tape.backward(layer.forward(ctx, x).sum());
        }
        float[] g = buffer.gradients(ctx).toFloatArray();
        assertThat(g, equalTo(new float[] {4, 4, 4, 4, 4, 4, 4, 4}));
        buffer.zeroGradients();
        assertThat(buffer.gradients(ctx).sum().getFloat(), equalTo(0f));
      }

      // copyFrom rewrites the values in place without unbinding the views.
      buffer.copyFrom(new float[] {1, 2, 3, 4, 5, 6, 7, 8});
      assertThat(layer.weight().array().toFloatArray(), equalTo(new float[] {1, 2, 3, 4, 5, 6}));
      buffer.flat().muli(m.create(2f));
      assertThat(layer.parameters().get(1).array().toFloatArray(), equalTo(new float[] {14, 16}));
    }
  }
}
