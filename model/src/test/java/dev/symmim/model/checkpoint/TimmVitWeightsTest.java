package dev.symmim.model.checkpoint;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import dev.symmim.model.random.SeededRandom;
import dev.symmim.model.vit.Parameter;
import dev.symmim.model.vit.ParameterFactory;
import dev.symmim.model.vit.Patches;
import dev.symmim.model.vit.PositionEmbedding;
import dev.symmim.model.vit.PositionResampling;
import dev.symmim.model.vit.StepContext;
import dev.symmim.model.vit.VisionTransformer;
import dev.symmim.model.vit.VitSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.Test;

/** The timm name map: layouts checked by computing both ways, and every import error names the tensor. */
public class TimmVitWeightsTest {
  static final VitSpec SPEC = new VitSpec(16, 4, 3, 32, 2, 2, 4);

  /** Our encoder's tensors named {@code encoder.*}, from a seeded random init. */
  static Map<String, NamedTensor> encoderTensors(VitSpec spec, long seed) {
    Map<String, NamedTensor> out = new LinkedHashMap<>();
    try (NDManager m = NDManager.newBaseManager()) {
      VisionTransformer vit = new VisionTransformer(new ParameterFactory(m, new SeededRandom(seed), false).scope("encoder"),
          spec);
      for (Parameter p : vit.parameters()) {
        out.put(p.name(), new NamedTensor(p.name(), p.array().getShape().getShape(), p.array().toFloatArray()));
      }
    }
    return out;
  }

  static Map<String, NamedTensor> timm(VitSpec spec, long seed) {
    Map<String, NamedTensor> out = new LinkedHashMap<>();
    for (NamedTensor t : TimmVitWeights.export(encoderTensors(spec, seed), "", spec,
        PositionEmbedding.sinCos2d(spec.dim(), spec.grid()))) {
      out.put(t.name(), t);
    }
    return out;
  }

  @Test
  public void convKernelComputesWhatOurLinearPatchEmbeddingComputes() {
    int p = SPEC.patchSize();
    int c = SPEC.channels();
    int d = SPEC.dim();
    Map<String, NamedTensor> ours = encoderTensors(SPEC, 3);
    NamedTensor linear = ours.get("encoder.patch_embed.weight");
    float[] bias = new float[d];
    for (int i = 0; i < d; i++) {
      bias[i] = 0.01f * i; // our init has zero bias; make it count
    }
    try (NDManager m = NDManager.newBaseManager(); StepContext ctx = new StepContext(m, DataType.FLOAT32)) {
      NDArray nhwc = ctx.manager().randomUniform(0, 1, new Shape(2, 16, 16, c));
      NDArray w = ctx.create(linear.data(), new Shape(d, p * p * c));
      NDArray b = ctx.create(bias, new Shape(d));
      NDArray viaLinear = Patches.patchify(nhwc, p).matMul(w.transpose()).add(b); // (N, L, D)
      NDArray kernel = ctx.create(TimmVitWeights.linearToConv(linear.data(), d, p, c), new Shape(d, c, p, p));
      NDArray conv = Conv2d.conv2d(nhwc.transpose(0, 3, 1, 2), kernel, b, new Shape(p, p)).singletonOrThrow(); // (N, D, h, w)
      NDArray viaConv = conv.reshape(2, d, -1).transpose(0, 2, 1);
      float diff = viaLinear.sub(viaConv).abs().max().getFloat();
      assertTrue("linear vs conv max |diff| " + diff, diff < 1e-5f);
    }
    assertArrayEquals(linear.data(), TimmVitWeights.convToLinear(TimmVitWeights.linearToConv(linear.data(), d, p, c),
        d, p, c), 0f);
  }

  @Test
  public void exportHasTimmNamesAndShapesAndImportRestoresOurTensors() {
    Map<String, NamedTensor> timm = timm(SPEC, 5);
    Map<String, long[]> expected = new LinkedHashMap<>();
    expected.put("cls_token", new long[] {1, 1, 32});
    expected.put("pos_embed", new long[] {1, 17, 32});
    expected.put("patch_embed.proj.weight", new long[] {32, 3, 4, 4});
    expected.put("patch_embed.proj.bias", new long[] {32});
    for (int b = 0; b < 2; b++) {
      expected.put("blocks." + b + ".norm1.weight", new long[] {32});
      expected.put("blocks." + b + ".norm1.bias", new long[] {32});
      expected.put("blocks." + b + ".attn.qkv.weight", new long[] {96, 32});
      expected.put("blocks." + b + ".attn.qkv.bias", new long[] {96});
      expected.put("blocks." + b + ".attn.proj.weight", new long[] {32, 32});
      expected.put("blocks." + b + ".attn.proj.bias", new long[] {32});
      expected.put("blocks." + b + ".norm2.weight", new long[] {32});
      expected.put("blocks." + b + ".norm2.bias", new long[] {32});
      expected.put("blocks." + b + ".mlp.fc1.weight", new long[] {128, 32});
      expected.put("blocks." + b + ".mlp.fc1.bias", new long[] {128});
      expected.put("blocks." + b + ".mlp.fc2.weight", new long[] {32, 128});
      expected.put("blocks." + b + ".mlp.fc2.bias", new long[] {32});
    }
    expected.put("norm.weight", new long[] {32});
    expected.put("norm.bias", new long[] {32});
    assertEquals(List.copyOf(expected.keySet()), List.copyOf(timm.keySet()));
    expected.forEach((name, shape) -> assertArrayEquals(name, shape, timm.get(name).shape()));
    float[] pos = timm.get("pos_embed").data();
    for (int k = 0; k < 32; k++) {
      assertEquals("CLS position is zero", 0f, pos[k], 0f);
    }

    TimmVitWeights.Imported back = TimmVitWeights.importEncoder(timm, SPEC);
    assertEquals(TimmVitWeights.Positions.SIN_COS, back.kind());
    assertNull(back.positions());
    Map<String, NamedTensor> ours = encoderTensors(SPEC, 5);
    ours.remove("encoder.mask_token");
    assertEquals(ours.keySet(), back.tensors().keySet());
    ours.forEach((name, t) -> {
      assertArrayEquals(name, t.shape(), back.tensors().get(name).shape());
      assertArrayEquals(name, t.data(), back.tensors().get(name).data(), 0f);
    });
  }

  @Test
  public void importErrorsNameTheTensorAndBothShapes() {
    Map<String, NamedTensor> missing = timm(SPEC, 1);
    missing.remove("blocks.1.mlp.fc2.bias");
    assertMessage("safetensors file has no tensor blocks.1.mlp.fc2.bias (model shape [32])", missing, SPEC);

    Map<String, NamedTensor> wrong = timm(SPEC, 1);
    wrong.put("blocks.0.attn.qkv.weight", new NamedTensor("blocks.0.attn.qkv.weight", new long[] {96, 16},
        new float[96 * 16]));
    assertMessage("blocks.0.attn.qkv.weight: file shape [96, 16] != model shape [96, 32]", wrong, SPEC);

    Map<String, NamedTensor> deeper = timm(new VitSpec(16, 4, 3, 32, 3, 2, 4), 1);
    assertMessage("safetensors tensor blocks.2.attn.proj.bias [32] has no counterpart", deeper, SPEC);

    Map<String, NamedTensor> otherPatch = timm(new VitSpec(16, 8, 3, 32, 2, 2, 4), 1);
    assertMessage("patch_embed.proj.weight: file shape [32, 3, 8, 8] != model shape [32, 3, 4, 4]", otherPatch, SPEC);

    Map<String, NamedTensor> oddGrid = timm(SPEC, 1);
    oddGrid.put("pos_embed", new NamedTensor("pos_embed", new long[] {1, 1 + 15, 32}, new float[16 * 32]));
    assertMessage("pos_embed: file shape [1, 16, 32] holds 15 patch positions, not a square grid", oddGrid, SPEC);

    Map<String, NamedTensor> withHead = timm(SPEC, 1);
    withHead.put("head.weight", new NamedTensor("head.weight", new long[] {10, 32}, new float[320]));
    TimmVitWeights.importEncoder(withHead, SPEC); // a classifier's head is not the encoder's: ignored
  }

  @Test
  public void aLearnedPositionTableIsKeptOrResizedAndTheClsPositionFoldedIntoTheClsToken() {
    Map<String, NamedTensor> timm = timm(SPEC, 2);
    float[] pos = new float[17 * 32];
    SeededRandom r = new SeededRandom(9);
    for (int i = 0; i < pos.length; i++) {
      pos[i] = (float) r.nextGaussian();
    }
    timm.put("pos_embed", new NamedTensor("pos_embed", new long[] {1, 17, 32}, pos));
    TimmVitWeights.Imported same = TimmVitWeights.importEncoder(timm, SPEC);
    assertEquals(TimmVitWeights.Positions.LEARNED, same.kind());
    assertArrayEquals(java.util.Arrays.copyOfRange(pos, 32, pos.length), same.positions(), 0f);
    float[] cls = timm.get("cls_token").data();
    for (int k = 0; k < 32; k++) {
      assertEquals(cls[k] + pos[k], same.tensors().get("encoder.cls_token").data()[k], 0f);
    }

    VitSpec bigger = new VitSpec(24, 4, 3, 32, 2, 2, 4); // 4x4 grid -> 6x6
    TimmVitWeights.Imported resized = TimmVitWeights.importEncoder(timm, bigger);
    assertEquals(TimmVitWeights.Positions.LEARNED_RESAMPLED, resized.kind());
    assertArrayEquals(PositionResampling.bicubic(java.util.Arrays.copyOfRange(pos, 32, pos.length), 32, 4, 4, 6, 6),
        resized.positions(), 0f);

    TimmVitWeights.Imported sinCos = TimmVitWeights.importEncoder(timm(SPEC, 2), bigger);
    assertEquals("our own sin-cos export is recomputed for the new grid", TimmVitWeights.Positions.SIN_COS,
        sinCos.kind());
  }

  @Test
  public void architectureIsReadFromTheShapes() {
    VitSpec spec = TimmVitWeights.inferSpec(timm(new VitSpec(32, 4, 1, 48, 3, 3, 2), 1), 32, 3);
    assertEquals(new VitSpec(32, 4, 1, 48, 3, 3, 2), spec);
  }

  @Test
  public void resamplingKeepsConstantsAndIsTheIdentityAtTheSameSize() {
    float[] constant = new float[4 * 4 * 2];
    java.util.Arrays.fill(constant, 0.75f);
    for (float v : PositionResampling.bicubic(constant, 2, 4, 4, 7, 3)) {
      assertEquals(0.75f, v, 1e-6f);
    }
    float[] t = new float[3 * 3 * 2];
    for (int i = 0; i < t.length; i++) {
      t[i] = i * 0.5f - 3;
    }
    assertArrayEquals(t, PositionResampling.bicubic(t, 2, 3, 3, 3, 3), 0f);
  }

  private static void assertMessage(String part, Map<String, NamedTensor> timm, VitSpec spec) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TimmVitWeights.importEncoder(timm, spec));
    assertTrue("expected '" + part + "' in: " + e.getMessage(), e.getMessage().contains(part));
  }
}
