package dev.symmim.model.vit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * The ViT encoder of SymMIM (SimMIM-style masking): patch embedding, masked patches replaced by a
 * learnable mask token, fixed sin-cos positions, CLS token, pre-LN blocks, final LayerNorm.
 * All tokens go through the encoder.
 */
public final class VisionTransformer extends Module {
  private final VitSpec spec;
  private final Linear patchEmbed;
  private final Parameter clsToken;
  private final Parameter maskToken;
  private final NDArray positions;
  private boolean sinCosPositions = true;
  private final List<TransformerBlock> blocks = new ArrayList<>();
  private final LayerNorm norm;

  public VisionTransformer(ParameterFactory f, VitSpec spec) {
    this.spec = spec;
    int d = spec.dim();
    patchEmbed = register(new Linear(f.scope("patch_embed"), spec.patchPixels(), d, true));
    clsToken = register(f.normal("cls_token", 0.02, new Shape(1, 1, d)));
    maskToken = register(f.normal("mask_token", 0.02, new Shape(1, 1, d)));
    positions = f.buffer(PositionEmbedding.sinCos2d(d, spec.grid()), new Shape(1, spec.numPatches(), d));
    for (int b = 0; b < spec.depth(); b++) {
      blocks.add(register(new TransformerBlock(f.scope("blocks." + b), d, spec.heads(), spec.hidden())));
    }
    norm = register(new LayerNorm(f.scope("norm"), d));
  }

  public VitSpec spec() {
    return spec;
  }

  /**
   * Replaces the fixed position table of the patches ({@code L * D} values, row-major patches, e.g.
   * a learned {@code pos_embed} imported from a timm checkpoint, see
   * {@code dev.symmim.model.checkpoint.TimmVitWeights}). It stays fixed: not a parameter, never
   * trained; whoever saves the model must save {@link #positions()} too.
   */
  public void setPositions(float[] values) {
    ParameterBuffer.copyInto(positions, values);
    sinCosPositions = false;
  }

  /** The position table of the patches, {@code L * D} values (the 2-D sin-cos one unless {@link #setPositions}). */
  public float[] positions() {
    return positions.toFloatArray();
  }

  /** Whether the positions are the default 2-D sin-cos table (not replaced by {@link #setPositions}). */
  public boolean sinCosPositions() {
    return sinCosPositions;
  }

  /**
   * @param patches {@code (N, L, p*p*C)} normalized pixels, see {@link Patches#patchify}
   * @param mask {@code (N, L, 1)} with 1 = masked, or null for no masking
   * @return {@code (N, 1 + L, D)} normalized tokens; index 0 is CLS
   */
  public NDArray forward(StepContext ctx, NDArray patches, NDArray mask) {
    return encode(ctx, patches, mask, null).tokens();
  }

  /**
   * The encoder's output: the final LayerNorm-ed tokens, {@code (N, 1 + L, D)} (what {@link #forward}
   * returns), and the hidden states after each block, before the final norm ({@code depth} arrays of
   * {@code (N, 1 + L, D)}, block 0 first; apply {@link #finalNorm} to read one out as DINO's
   * {@code get_intermediate_layers} does).
   */
  public record Encoded(NDArray tokens, List<NDArray> hiddenStates) {
    public Encoded {
      hiddenStates = List.copyOf(hiddenStates);
    }
  }

  /**
   * As {@link #forward}, also returning every block's hidden state, with optional drop-path.
   *
   * @param residualScales null for none, else one {@code {attnScale, mlpScale}} pair per block, see
   *     {@link TransformerBlock#forward(StepContext, NDArray, NDArray, NDArray)} (entries may be null)
   */
  public Encoded encode(StepContext ctx, NDArray patches, NDArray mask, List<NDArray[]> residualScales) {
    if (residualScales != null && residualScales.size() != blocks.size()) {
      throw new IllegalArgumentException("need one residual scale pair per block (" + blocks.size() + "), got "
          + residualScales.size());
    }
    NDArray x = patchEmbed.forward(ctx, ctx.cast(patches));
    if (mask != null) {
      NDArray m = ctx.cast(mask);
      x = x.sub(x.mul(m)).add(m.mul(ctx.weight(maskToken)));
    }
    x = x.add(ctx.cast(positions));
    long n = x.getShape().get(0);
    NDArray cls = ctx.manager().zeros(new Shape(n, 1, spec.dim()), x.getDataType()).add(ctx.weight(clsToken));
    x = NDArrays.concat(new NDList(cls, x), 1);
    List<NDArray> hidden = new ArrayList<>(blocks.size());
    for (int b = 0; b < blocks.size(); b++) {
      NDArray[] scales = residualScales == null ? null : residualScales.get(b);
      x = scales == null ? blocks.get(b).forward(ctx, x) : blocks.get(b).forward(ctx, x, scales[0], scales[1]);
      hidden.add(x);
    }
    return new Encoded(norm.forward(ctx, x), hidden);
  }

  /** The encoder's final LayerNorm applied to {@code x} (e.g. one of {@link Encoded#hiddenStates()}). */
  public NDArray finalNorm(StepContext ctx, NDArray x) {
    return norm.forward(ctx, x);
  }

  /** The CLS token of {@link #forward}'s output, {@code (N, D)}. */
  public static NDArray cls(NDArray tokens) {
    return tokens.get(":, 0, :");
  }

  /** The patch tokens of {@link #forward}'s output, {@code (N, L, D)}. */
  public static NDArray patchTokens(NDArray tokens) {
    return tokens.get(":, 1:, :");
  }
}
