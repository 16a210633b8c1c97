package dev.symmim.model.checkpoint;

import dev.symmim.model.masking.PatchGrid;
import dev.symmim.model.vit.PositionEmbedding;
import dev.symmim.model.vit.PositionResampling;
import dev.symmim.model.vit.VitSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The map between our encoder's tensors and a timm {@code VisionTransformer} state dict
 * ({@code class_token=True, qkv_bias=True, norm_layer=LayerNorm(eps=1e-6)}, exact GELU), both ways.
 *
 * <pre>
 * ours ({@code encoder.*})                        timm
 * patch_embed.weight [D, p*p*C]  (row, col, ch)   patch_embed.proj.weight [D, C, p, p]  (Conv2d kernel)
 * patch_embed.bias   [D]                          patch_embed.proj.bias   [D]
 * cls_token          [1, 1, D]                    cls_token               [1, 1, D]
 * (fixed sin-cos buffer, patches only) [L, D]     pos_embed               [1, 1 + L, D] (row 0: CLS, zeros)
 * blocks.N.{norm1, attn.qkv, attn.proj, norm2, mlp.fc1, mlp.fc2}.{weight, bias}   the same names and shapes
 * norm.{weight, bias}                             norm.{weight, bias}
 * mask_token         [1, 1, D]                    (none: timm has no mask token; not exported)
 * (classifier) fc_norm.*, head.*                  fc_norm.*, head.*
 * </pre>
 *
 * <p>Our linear layers store {@code [out, in]} like {@code nn.Linear}, and our qkv projection is
 * split as timm's ({@code reshape(N, T, 3, H, D/H)}), so only the patch embedding is re-laid out:
 * {@code conv[d][c][r][s] = linear[d][(r * p + s) * C + c]}. A non-zero CLS position (a timm
 * checkpoint's) is folded into the CLS token on import: {@code (cls + pos[0])} is what the first
 * block sees either way.
 */
public final class TimmVitWeights {
  /** Our encoder's parameter prefix. */
  public static final String ENCODER = "encoder.";
  /** Largest |difference| from the 2-D sin-cos table for a position table to count as sin-cos. */
  static final float SIN_COS_TOLERANCE = 1e-5f;

  private TimmVitWeights() {}

  // ---- export ----

  /**
   * timm-named tensors of our encoder, in timm's state-dict order.
   *
   * @param tensors our tensors, named {@code prefix + "encoder." + name}
   * @param positions the patch position table ({@code L * D} values) the encoder used
   */
  public static List<NamedTensor> export(Map<String, NamedTensor> tensors, String prefix, VitSpec spec,
      float[] positions) {
    int d = spec.dim();
    int l = spec.numPatches();
    if (positions.length != (long) l * d) {
      throw new IllegalArgumentException("position table holds " + positions.length + " values, want " + l + "x" + d);
    }
    List<NamedTensor> out = new ArrayList<>();
    out.add(copy(take(tensors, prefix + ENCODER + "cls_token", 1, 1, d), "cls_token"));
    float[] pos = new float[(1 + l) * d];
    System.arraycopy(positions, 0, pos, d, positions.length); // row 0, the CLS position, stays zero
    out.add(new NamedTensor("pos_embed", new long[] {1, 1 + l, d}, pos));
    NamedTensor w = take(tensors, prefix + ENCODER + "patch_embed.weight", d, spec.patchPixels());
    out.add(new NamedTensor("patch_embed.proj.weight",
        new long[] {d, spec.channels(), spec.patchSize(), spec.patchSize()},
        linearToConv(w.data(), d, spec.patchSize(), spec.channels())));
    out.add(copy(take(tensors, prefix + ENCODER + "patch_embed.bias", d), "patch_embed.proj.bias"));
    for (String name : blockNames(spec)) {
      NamedTensor t = tensors.get(prefix + ENCODER + name);
      if (t == null) {
        throw new IllegalArgumentException("checkpoint has no tensor " + prefix + ENCODER + name);
      }
      out.add(copy(t, name));
    }
    out.add(copy(take(tensors, prefix + ENCODER + "norm.weight", d), "norm.weight"));
    out.add(copy(take(tensors, prefix + ENCODER + "norm.bias", d), "norm.bias"));
    return out;
  }

  /** {@code [D, p*p*C]} with columns (row, col, channel) -> {@code [D, C, p, p]}. */
  static float[] linearToConv(float[] w, int d, int p, int c) {
    float[] conv = new float[w.length];
    for (int o = 0; o < d; o++) {
      for (int ch = 0; ch < c; ch++) {
        for (int r = 0; r < p; r++) {
          for (int s = 0; s < p; s++) {
            conv[((o * c + ch) * p + r) * p + s] = w[o * p * p * c + (r * p + s) * c + ch];
          }
        }
      }
    }
    return conv;
  }

  /** The inverse of {@link #linearToConv}. */
  static float[] convToLinear(float[] conv, int d, int p, int c) {
    float[] w = new float[conv.length];
    for (int o = 0; o < d; o++) {
      for (int ch = 0; ch < c; ch++) {
        for (int r = 0; r < p; r++) {
          for (int s = 0; s < p; s++) {
            w[o * p * p * c + (r * p + s) * c + ch] = conv[((o * c + ch) * p + r) * p + s];
          }
        }
      }
    }
    return w;
  }

  // ---- import ----

  /** What the encoder uses for positions after an import. */
  public enum Positions {
    /** The file's table is our 2-D sin-cos one (e.g. our own export): the encoder recomputes it for its grid. */
    SIN_COS,
    /** A learned table for the encoder's grid, used as given (fixed, not trained). */
    LEARNED,
    /** A learned table for another grid, resized with timm's anti-aliased bicubic, then fixed. */
    LEARNED_RESAMPLED
  }

  /**
   * An encoder read from a timm-named file: our tensors ({@code encoder.*}, without the mask token,
   * which timm has none of), the patch position table for the encoder's grid ({@code L * D}
   * values; null when {@link Positions#SIN_COS}) and how it was obtained.
   */
  public record Imported(Map<String, NamedTensor> tensors, float[] positions, Positions kind, String note) {}

  /**
   * Converts a timm-named encoder to ours for {@code spec}. Every tensor must be present with the
   * shape {@code spec} implies (else an {@link IllegalArgumentException} naming the tensor and both
   * shapes); tensors of a classifier ({@code head.*}, {@code fc_norm.*}) are ignored; any other
   * tensor fails (never a silent partial load). The position table may come from another square grid.
   */
  public static Imported importEncoder(Map<String, NamedTensor> timm, VitSpec spec) {
    int d = spec.dim();
    int p = spec.patchSize();
    int c = spec.channels();
    Map<String, NamedTensor> ours = new LinkedHashMap<>();
    TreeSet<String> unused = new TreeSet<>(timm.keySet());
    NamedTensor conv = expect(timm, "patch_embed.proj.weight", d, c, p, p);
    ours.put(ENCODER + "patch_embed.weight", new NamedTensor(ENCODER + "patch_embed.weight",
        new long[] {d, spec.patchPixels()}, convToLinear(conv.data(), d, p, c)));
    ours.put(ENCODER + "patch_embed.bias", copy(expect(timm, "patch_embed.proj.bias", d), ENCODER + "patch_embed.bias"));
    NamedTensor pos = timm.get("pos_embed");
    if (pos == null) {
      throw new IllegalArgumentException("safetensors file has no tensor pos_embed (model shape [1, "
          + (1 + spec.numPatches()) + ", " + d + "])");
    }
    if (pos.shape().length != 3 || pos.shape()[0] != 1 || pos.shape()[2] != d || pos.shape()[1] < 2) {
      throw new IllegalArgumentException("pos_embed: file shape " + Arrays.toString(pos.shape()) + " != model shape [1, "
          + (1 + spec.numPatches()) + ", " + d + "] (only the token count may differ: another patch grid)");
    }
    float[] cls = expect(timm, "cls_token", 1, 1, d).data().clone();
    for (int k = 0; k < d; k++) {
      cls[k] += pos.data()[k]; // the CLS position, folded in
    }
    ours.put(ENCODER + "cls_token", new NamedTensor(ENCODER + "cls_token", new long[] {1, 1, d}, cls));
    for (String name : blockNames(spec)) {
      NamedTensor ourShape = shapeOf(name, spec);
      ours.put(ENCODER + name, copy(expect(timm, name, ourShape.shape()), ENCODER + name));
    }
    ours.put(ENCODER + "norm.weight", copy(expect(timm, "norm.weight", d), ENCODER + "norm.weight"));
    ours.put(ENCODER + "norm.bias", copy(expect(timm, "norm.bias", d), ENCODER + "norm.bias"));
    unused.removeAll(List.of("patch_embed.proj.weight", "patch_embed.proj.bias", "pos_embed", "cls_token",
        "norm.weight", "norm.bias"));
    unused.removeAll(blockNames(spec));
    unused.removeIf(n -> n.startsWith("head.") || n.startsWith("fc_norm."));
    if (!unused.isEmpty()) {
      throw new IllegalArgumentException("safetensors tensor " + unused.first() + " " + Arrays.toString(
          timm.get(unused.first()).shape()) + " has no counterpart in this encoder " + spec + " (" + unused.size()
          + " such tensors: a deeper model, or a timm variant with layer scale, register tokens or no class token)");
    }

    int fileTokens = (int) pos.shape()[1] - 1;
    float[] table = Arrays.copyOfRange(pos.data(), d, pos.data().length);
    int side = (int) Math.round(Math.sqrt(fileTokens));
    if (fileTokens == spec.numPatches() || side * side == fileTokens) {
      int fileSide = fileTokens == spec.numPatches() ? spec.grid().rows() : side;
      int fileCols = fileTokens == spec.numPatches() ? spec.grid().cols() : side;
      if (isSinCos(table, d, fileSide, fileCols)) {
        return new Imported(ours, null, Positions.SIN_COS, "pos_embed is the 2-D sin-cos table of a " + fileSide + "x"
            + fileCols + " grid: recomputed for the " + spec.grid().rows() + "x" + spec.grid().cols() + " grid");
      }
      if (fileTokens == spec.numPatches()) {
        return new Imported(ours, table, Positions.LEARNED, "pos_embed is learned: used as given, fixed");
      }
      float[] resized = PositionResampling.bicubic(table, d, fileSide, fileCols, spec.grid().rows(), spec.grid().cols());
      return new Imported(ours, resized, Positions.LEARNED_RESAMPLED, "pos_embed is learned for a " + fileSide + "x"
          + fileCols + " grid: resized (bicubic, anti-aliased, as timm) to " + spec.grid().rows() + "x"
          + spec.grid().cols() + ", fixed");
    }
    throw new IllegalArgumentException("pos_embed: file shape " + Arrays.toString(pos.shape()) + " holds "
        + fileTokens + " patch positions, not a square grid, and the model needs [1, " + (1 + spec.numPatches())
        + ", " + d + "]");
  }

  private static boolean isSinCos(float[] table, int d, int rows, int cols) {
    if (d % 4 != 0) {
      return false;
    }
    float[] ref = PositionEmbedding.sinCos2d(d, new PatchGrid(rows, cols));
    if (ref.length != table.length) {
      return false;
    }
    for (int i = 0; i < ref.length; i++) {
      if (!(Math.abs(ref[i] - table[i]) <= SIN_COS_TOLERANCE)) {
        return false;
      }
    }
    return true;
  }

  // ---- architecture ----

  /**
   * The encoder a timm-named file holds, at {@code imageSize}: width, depth, patch size, channels and
   * MLP ratio from the shapes; the head count (shapes cannot show it) from {@code heads}.
   */
  public static VitSpec inferSpec(Map<String, NamedTensor> timm, int imageSize, int heads) {
    NamedTensor conv = timm.get("patch_embed.proj.weight");
    if (conv == null || conv.shape().length != 4 || conv.shape()[2] != conv.shape()[3]) {
      throw new IllegalArgumentException("safetensors file has no timm ViT patch embedding (patch_embed.proj.weight "
          + "[D, C, p, p]); found " + (conv == null ? "none" : Arrays.toString(conv.shape())));
    }
    int d = (int) conv.shape()[0];
    int depth = 0;
    while (timm.containsKey("blocks." + depth + ".norm1.weight")) {
      depth++;
    }
    if (depth == 0) {
      throw new IllegalArgumentException("safetensors file has no blocks.0.norm1.weight: not a timm ViT");
    }
    NamedTensor fc1 = timm.get("blocks.0.mlp.fc1.weight");
    if (fc1 == null || fc1.shape().length != 2 || fc1.shape()[0] % d != 0) {
      throw new IllegalArgumentException("blocks.0.mlp.fc1.weight: file shape " + (fc1 == null ? "none"
          : Arrays.toString(fc1.shape())) + " is not [k * " + d + ", " + d + "] with an integer MLP ratio k");
    }
    return new VitSpec(imageSize, (int) conv.shape()[2], (int) conv.shape()[1], d, depth, heads,
        (int) (fc1.shape()[0] / d));
  }

  /** The per-block tensor names of {@code spec}, in timm's order. */
  static List<String> blockNames(VitSpec spec) {
    List<String> names = new ArrayList<>();
    for (int b = 0; b < spec.depth(); b++) {
      for (String part : List.of("norm1", "attn.qkv", "attn.proj", "norm2", "mlp.fc1", "mlp.fc2")) {
        names.add("blocks." + b + "." + part + ".weight");
        names.add("blocks." + b + "." + part + ".bias");
      }
    }
    return names;
  }

  private static NamedTensor shapeOf(String blockName, VitSpec spec) {
    long d = spec.dim();
    long h = spec.hidden();
    String part = blockName.substring(blockName.indexOf('.', "blocks.".length()) + 1);
    long[] shape = switch (part) {
      case "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias", "attn.proj.bias", "mlp.fc2.bias" -> new long[] {d};
      case "attn.qkv.weight" -> new long[] {3 * d, d};
      case "attn.qkv.bias" -> new long[] {3 * d};
      case "attn.proj.weight" -> new long[] {d, d};
      case "mlp.fc1.weight" -> new long[] {h, d};
      case "mlp.fc1.bias" -> new long[] {h};
      case "mlp.fc2.weight" -> new long[] {d, h};
      default -> throw new IllegalStateException(blockName);
    };
    long size = 1;
    for (long s : shape) {
      size *= s;
    }
    return new NamedTensor(blockName, shape, new float[(int) size]);
  }

  private static NamedTensor expect(Map<String, NamedTensor> timm, String name, long... shape) {
    NamedTensor t = timm.get(name);
    if (t == null) {
      throw new IllegalArgumentException("safetensors file has no tensor " + name + " (model shape "
          + Arrays.toString(shape) + ")");
    }
    if (!Arrays.equals(t.shape(), shape)) {
      throw new IllegalArgumentException(name + ": file shape " + Arrays.toString(t.shape()) + " != model shape "
          + Arrays.toString(shape));
    }
    return t;
  }

  private static NamedTensor take(Map<String, NamedTensor> tensors, String name, long... shape) {
    NamedTensor t = tensors.get(name);
    if (t == null) {
      throw new IllegalArgumentException("checkpoint has no tensor " + name);
    }
    if (!Arrays.equals(t.shape(), shape)) {
      throw new IllegalArgumentException(name + ": checkpoint shape " + Arrays.toString(t.shape()) + " != "
          + Arrays.toString(shape));
    }
    return t;
  }

  private static NamedTensor copy(NamedTensor t, String name) {
    return new NamedTensor(name, t.shape().clone(), t.data().clone());
  }
}
