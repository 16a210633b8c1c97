package dev.symmim.model.vit;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.symmim.model.masking.PatchGrid;
import dev.symmim.model.random.SeededRandom;
import org.junit.Test;

public class VisionTransformerTest {
  /** timm vit_base_patch16_224 has 86,567,656 parameters; its classifier head 768*1000+1000. */
  private static final long TIMM_VIT_B16_WITHOUT_HEAD = 86_567_656L - 769_000L;

  @Test
  public void forwardShapesOnATinyEncoder() {
    VitSpec spec = new VitSpec(16, 4, 3, 32, 2, 2, 4);
    try (NDManager m = NDManager.newBaseManager();
        StepContext ctx = new StepContext(m, DataType.FLOAT32)) {
      VisionTransformer vit = new VisionTransformer(new ParameterFactory(m, new SeededRandom(1), true), spec);
      NDArray images = ctx.manager().randomUniform(0, 1, new Shape(5, 16, 16, 3));
      NDArray patches = Patches.patchify(images, 4);
      assertThat(patches.getShape(), equalTo(new Shape(5, 16, 48)));
      NDArray mask = ctx.manager().ones(new Shape(5, 16, 1));
      NDArray tokens = vit.forward(ctx, patches, mask);
      assertThat(tokens.getShape(), equalTo(new Shape(5, 17, 32)));
      assertThat(VisionTransformer.cls(tokens).getShape(), equalTo(new Shape(5, 32)));
      assertThat(VisionTransformer.patchTokens(tokens).getShape(), equalTo(new Shape(5, 16, 32)));
      assertThat(vit.parameterCount(), equalTo(spec.parameterCount()));
    }
  }

  @Test
  public void grayscaleAndNonSquareGridsWork() {
    VitSpec spec = new VitSpec(28, 4, 1, 16, 1, 2, 4);
    try (NDManager m = NDManager.newBaseManager();
        StepContext ctx = new StepContext(m, DataType.FLOAT32)) {
      VisionTransformer vit = new VisionTransformer(new ParameterFactory(m, new SeededRandom(1), true), spec);
      NDArray patches = Patches.patchify(ctx.manager().zeros(new Shape(2, 28, 28, 1)), 4);
      assertThat(vit.forward(ctx, patches, null).getShape(), equalTo(new Shape(2, 50, 16)));
    }
  }

  @Test
  public void maskedPatchesAreReplacedByTheMaskToken() {
    VitSpec spec = new VitSpec(8, 4, 3, 16, 1, 2, 4);
    try (NDManager m = NDManager.newBaseManager();
        StepContext ctx = new StepContext(m, DataType.FLOAT32)) {
      VisionTransformer vit = new VisionTransformer(new ParameterFactory(m, new SeededRandom(1), true), spec);
      NDArray a = Patches.patchify(ctx.manager().randomUniform(0, 1, new Shape(1, 8, 8, 3)), 4);
      NDArray b = Patches.patchify(ctx.manager().randomUniform(0, 1, new Shape(1, 8, 8, 3)), 4);
      NDArray allMasked = ctx.manager().ones(new Shape(1, 4, 1));
      // With every patch masked, the content of the image cannot matter.
      assertThat(vit.forward(ctx, a, allMasked).sub(vit.forward(ctx, b, allMasked)).abs().max().getFloat(),
          lessThan(1e-6f));
    }
  }

  @Test
  public void presetParameterCountsMatchTheFormula() {
    // Built for real (allocating the weights) for tiny and small; base and large by formula.
    for (VitSpec.Size size : new VitSpec.Size[] {VitSpec.Size.TINY, VitSpec.Size.SMALL}) {
      VitSpec spec = size.spec(224, 16, 3);
      try (NDManager m = NDManager.newBaseManager()) {
        VisionTransformer vit = new VisionTransformer(new ParameterFactory(m, new SeededRandom(1), false), spec);
        assertThat(size.name(), vit.parameterCount(), equalTo(spec.parameterCount()));
      }
    }
    // timm counts without classifier, minus timm's learnable pos_embed (197 x D), plus our mask token (D).
    assertThat(VitSpec.Size.TINY.spec(224, 16, 3).parameterCount(), equalTo(5_524_416L - 197 * 192 + 192));
    assertThat(VitSpec.Size.SMALL.spec(224, 16, 3).parameterCount(), equalTo(21_665_664L - 197 * 384 + 384));
    assertThat(VitSpec.Size.LARGE.spec(224, 16, 3).parameterCount(), equalTo(303_301_632L - 197 * 1024 + 1024));
  }

  @Test
  public void vitBase16IsWithinHalfAPercentOfTimm() {
    VitSpec spec = VitSpec.Size.BASE.spec(224, 16, 3);
    long count;
    try (NDManager m = NDManager.newBaseManager()) {
      count = new VisionTransformer(new ParameterFactory(m, new SeededRandom(1), false), spec).parameterCount();
    }
    System.out.println("ViT-B/16 encoder parameters: " + count + " (timm without head: " + TIMM_VIT_B16_WITHOUT_HEAD
        + ", difference = its learnable pos_embed 151296 minus our mask token 768)");
    assertThat(count, equalTo(85_648_128L));
    assertThat((double) Math.abs(count - TIMM_VIT_B16_WITHOUT_HEAD) / TIMM_VIT_B16_WITHOUT_HEAD, lessThan(0.005));
  }

  @Test
  public void sinCosPositionsMatchMaeLayout() {
    float[] pos = PositionEmbedding.sinCos2d(8, new PatchGrid(2, 3));
    // patch (0,0): sin(0)=0, cos(0)=1 in both halves.
    assertThat((double) pos[0], closeTo(0, 1e-7));
    assertThat((double) pos[2], closeTo(1, 1e-7));
    // patch (1,2): first half encodes column 2, second half row 1; omega_0 = 1.
    int base = (1 * 3 + 2) * 8;
    assertThat((double) pos[base], closeTo(Math.sin(2), 1e-6));
    assertThat((double) pos[base + 4], closeTo(Math.sin(1), 1e-6));
    assertThat((double) pos[base + 1], closeTo(Math.sin(2 / 100.0), 1e-6));
  }
}
