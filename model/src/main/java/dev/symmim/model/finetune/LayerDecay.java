package dev.symmim.model.finetune;

import dev.symmim.model.vit.Parameter;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Layer-wise learning-rate decay as BEiT's {@code param_groups_lrd}: with {@code L} blocks, the
 * patch embedding, CLS and mask tokens (layer 0) get {@code decay^(L+1)}; block {@code i} (0-based,
 * layer {@code i + 1}) gets {@code decay^(L - i)}; the encoder's final norm, {@code fc_norm} and the
 * head (layer {@code L + 1}) get 1. The position embedding is fixed here (no parameter).
 */
public final class LayerDecay {
  private static final Pattern BLOCK = Pattern.compile("^encoder\\.blocks\\.(\\d+)\\.");

  private LayerDecay() {}

  /** BEiT's layer id of a classifier parameter name: 0 embeddings, {@code i + 1} block i, {@code L + 1} the rest. */
  public static int layerId(String name, int depth) {
    if (name.startsWith("encoder.patch_embed.") || name.equals("encoder.cls_token")
        || name.equals("encoder.mask_token") || name.startsWith("encoder.pos_embed")) {
      return 0;
    }
    Matcher m = BLOCK.matcher(name);
    if (m.find()) {
      int block = Integer.parseInt(m.group(1));
      if (block >= depth) {
        throw new IllegalArgumentException(name + ": block " + block + " outside a depth-" + depth + " encoder");
      }
      return block + 1;
    }
    return depth + 1;
  }

  /** The lr multiplier of one parameter: {@code decay^(L + 1 - layerId)}. */
  public static double scale(String name, int depth, double decay) {
    return Math.pow(decay, depth + 1 - layerId(name, depth));
  }

  /** One multiplier per element of the parameters packed in this order (see {@code ParameterBuffer}). */
  public static float[] perElement(List<Parameter> parameters, int depth, double decay) {
    long total = 0;
    for (Parameter p : parameters) {
      total += p.size();
    }
    float[] out = new float[Math.toIntExact(total)];
    int offset = 0;
    for (Parameter p : parameters) {
      float s = (float) scale(p.name(), depth, decay);
      java.util.Arrays.fill(out, offset, offset + (int) p.size(), s);
      offset += (int) p.size();
    }
    return out;
  }
}
