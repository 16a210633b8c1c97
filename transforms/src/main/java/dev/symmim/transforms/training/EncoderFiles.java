package dev.symmim.transforms.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.symmim.model.checkpoint.Safetensors;
import dev.symmim.model.config.Normalization;
import dev.symmim.transforms.io.Locations;
import java.io.IOException;
import java.util.Map;

/**
 * Encoders in timm-named safetensors files ({@code symmim export}'s {@code model.safetensors} or a
 * public timm checkpoint), local or on any Beam filesystem, for {@code --init} of pretrain and
 * finetune; and the {@code __metadata__} keys an export writes so that an import needs no flags.
 */
public final class EncoderFiles {
  /** The file name extension {@code --init} recognises. */
  public static final String EXTENSION = ".safetensors";
  public static final String META_NUM_HEADS = "num_heads";
  public static final String META_IMG_SIZE = "img_size";
  public static final String META_MEAN = "mean";
  public static final String META_STD = "std";
  public static final String META_POS_EMBED = "pos_embed";
  private static final ObjectMapper JSON = new ObjectMapper();

  private EncoderFiles() {}

  public static boolean isSafetensors(String location) {
    return location != null && location.endsWith(EXTENSION);
  }

  /** The file at {@code location}, parsed and checked; errors name the file. */
  public static Safetensors.Contents read(String location) {
    byte[] bytes;
    try {
      if (!Locations.exists(location)) {
        throw new IllegalArgumentException(location + " does not exist");
      }
      bytes = Locations.read(location);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + location + ": " + e.getMessage(), e);
    }
    try {
      return Safetensors.read(bytes);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(location + ": " + e.getMessage(), e);
    }
  }

  /** The head count the file's metadata records (an export writes it); 0 when absent. */
  public static int heads(Map<String, String> metadata) {
    String v = metadata.get(META_NUM_HEADS);
    try {
      return v == null ? 0 : Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("__metadata__ num_heads is not an integer: " + v, e);
    }
  }

  /** The input normalisation the file's metadata records (JSON arrays under mean and std); null when absent. */
  public static Normalization normalization(Map<String, String> metadata) {
    String mean = metadata.get(META_MEAN);
    String std = metadata.get(META_STD);
    if (mean == null || std == null) {
      return null;
    }
    return new Normalization(floats(mean), floats(std));
  }

  private static float[] floats(String json) {
    try {
      JsonNode node = JSON.readTree(json);
      float[] out = new float[node.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = (float) node.get(i).asDouble();
      }
      return out;
    } catch (IOException e) {
      throw new IllegalArgumentException("__metadata__ value is not a JSON array of numbers: " + json, e);
    }
  }
}
