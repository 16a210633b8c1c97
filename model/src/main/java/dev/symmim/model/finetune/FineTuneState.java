package dev.symmim.model.finetune;

import dev.symmim.model.checkpoint.NamedTensor;
import dev.symmim.model.checkpoint.TrainingState;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything a {@link FineTuneTrainer} needs to continue bitwise: the config, the scalars
 * ({@link TrainingState}: applied steps, refused steps, AdamW updates, drop-path RNG state) and
 * the tensors: parameters as {@code online/<name>} (so the encoder reads like a pretraining
 * checkpoint's), AdamW moments as {@code adam.m/<name>} and {@code adam.v/<name>}, and
 * {@link #POSITIONS} when the encoder's position table was imported.
 *
 * <p>The on-disk seam: {@code config.toJson()} to {@code config.json}, the state as
 * {@code state.json} and the tensors with {@code TensorArchive}, like {@code Checkpoint}.
 */
public record FineTuneState(FineTuneConfig config, TrainingState state, Map<String, NamedTensor> tensors) {
  public static final String PARAMETERS = "online/";
  public static final String FIRST_MOMENTS = "adam.m/";
  public static final String SECOND_MOMENTS = "adam.v/";
  /**
   * The encoder's fixed patch position table {@code [L, D]} when it is not the 2-D sin-cos one (a
   * learned table imported from a timm file); absent otherwise.
   */
  public static final String POSITIONS = "buffer/encoder.positions";

  public FineTuneState {
    tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
  }

  /** The tensor of that name; fails with the name if absent. */
  public NamedTensor tensor(String name) {
    NamedTensor t = tensors.get(name);
    if (t == null) {
      throw new IllegalArgumentException("fine-tune state has no tensor " + name);
    }
    return t;
  }
}
