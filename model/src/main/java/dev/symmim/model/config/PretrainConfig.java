package dev.symmim.model.config;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.symmim.model.masking.MaskKind;
import dev.symmim.model.masking.Masks;
import dev.symmim.model.vit.VitSpec;

/**
 * Everything that defines a SymMIM pretraining run, as a few groups: the encoder architecture, the
 * contrastive heads, the masks, the losses, the optimiser, the schedule, the augmentation, the input
 * normalization and the run settings. Immutable; start from a preset ({@link #tiny()},
 * {@link #small()}, {@link #base()}, {@link #large()}) and replace groups with the {@code with*}
 * methods. Every group validates its own fields; the cross-field rules (the M2 block divides the
 * patch grid, the normalization has one value per channel) are checked here. Written as JSON next to
 * every checkpoint and read back on resume. Defaults follow METHOD.md section 3.
 */
public record PretrainConfig(VitSpec encoder, ContrastiveHeads heads, Masking masking, Losses losses,
    Optimisation optimisation, Schedule schedule, Augmentation augmentation, Normalization normalization,
    RunSettings run) {
  private static final Gson GSON =
      new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

  public PretrainConfig {
    Checks.check(encoder != null && heads != null && masking != null && losses != null && optimisation != null
        && schedule != null && augmentation != null && normalization != null && run != null,
        "every config group must be set (encoder, heads, masking, losses, optimisation, schedule, augmentation, "
            + "normalization, run)");
    if (masking.kind() == MaskKind.SYMMETRIC) {
      Masks.requireDivides(encoder.grid(), masking.block(), "maskBlock (k of M2)");
    }
    if (masking.kind() == MaskKind.BLOCKS) {
      Masks.requireDivides(encoder.grid(), masking.randomBlock(), "randomMaskBlock");
    }
    Checks.check(normalization.channels() == encoder.channels(),
        "channelMean/channelStd need " + encoder.channels() + " values, got " + normalization);
  }

  // ---- presets ----

  /** METHOD.md defaults around {@code encoder}: MoCo v3 heads, symmetric masks, 1000 steps. */
  public static PretrainConfig of(VitSpec encoder) {
    return new PretrainConfig(encoder, ContrastiveHeads.mocoV3(), Masking.symmetric(), Losses.defaults(),
        Optimisation.pretraining(), Schedule.steps(1000), Augmentation.defaults(),
        Normalization.neutral(encoder.channels()), RunSettings.defaults());
  }

  /** ViT-Tiny (192/12/3) at 32 px, patch 4, small heads (1024 hidden, 256 out). */
  public static PretrainConfig tiny() {
    return of(VitSpec.Size.TINY.spec(32, 4, 3)).withHeads(new ContrastiveHeads(1024, 256, 1024));
  }

  /** ViT-S/16 at 224 px, MoCo v3 heads (4096 hidden, 256 out). */
  public static PretrainConfig small() {
    return of(VitSpec.Size.SMALL.spec(224, 16, 3));
  }

  /** ViT-B/16 at 224 px. */
  public static PretrainConfig base() {
    return of(VitSpec.Size.BASE.spec(224, 16, 3));
  }

  /** ViT-L/16 at 224 px. */
  public static PretrainConfig large() {
    return of(VitSpec.Size.LARGE.spec(224, 16, 3));
  }

  // ---- one group replaced ----

  /** Another encoder; the normalization becomes neutral if the channel count changes. */
  public PretrainConfig withEncoder(VitSpec v) {
    Normalization n = normalization.channels() == v.channels() ? normalization : Normalization.neutral(v.channels());
    return new PretrainConfig(v, heads, masking, losses, optimisation, schedule, augmentation, n, run);
  }

  public PretrainConfig withHeads(ContrastiveHeads v) {
    return new PretrainConfig(encoder, v, masking, losses, optimisation, schedule, augmentation, normalization, run);
  }

  public PretrainConfig withMasking(Masking v) {
    return new PretrainConfig(encoder, heads, v, losses, optimisation, schedule, augmentation, normalization, run);
  }

  public PretrainConfig withLosses(Losses v) {
    return new PretrainConfig(encoder, heads, masking, v, optimisation, schedule, augmentation, normalization, run);
  }

  public PretrainConfig withOptimisation(Optimisation v) {
    return new PretrainConfig(encoder, heads, masking, losses, v, schedule, augmentation, normalization, run);
  }

  public PretrainConfig withSchedule(Schedule v) {
    return new PretrainConfig(encoder, heads, masking, losses, optimisation, v, augmentation, normalization, run);
  }

  public PretrainConfig withAugmentation(Augmentation v) {
    return new PretrainConfig(encoder, heads, masking, losses, optimisation, schedule, v, normalization, run);
  }

  public PretrainConfig withNormalization(Normalization v) {
    return new PretrainConfig(encoder, heads, masking, losses, optimisation, schedule, augmentation, v, run);
  }

  public PretrainConfig withRun(RunSettings v) {
    return new PretrainConfig(encoder, heads, masking, losses, optimisation, schedule, augmentation, normalization, v);
  }

  // ---- JSON ----

  public String toJson() {
    return GSON.toJson(this);
  }

  /** Parses and validates; a group missing from the JSON is refused naming it. */
  public static PretrainConfig fromJson(String json) {
    JsonObject o = JsonParser.parseString(json).getAsJsonObject();
    for (String group : new String[] {"encoder", "heads", "masking", "losses", "optimisation", "schedule",
        "augmentation", "normalization", "run"}) {
      if (!o.has(group) || !o.get(group).isJsonObject()) {
        throw new IllegalArgumentException("pretraining config has no '" + group + "' group"
            + (o.has("imageSize") ? " (a config.json of an older symmim version: re-run pretrain)" : ""));
      }
    }
    try {
      return GSON.fromJson(o, PretrainConfig.class);
    } catch (RuntimeException e) { // Gson wraps the records' validation errors
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof IllegalArgumentException bad) {
          throw bad;
        }
      }
      throw e;
    }
  }

  @Override
  public String toString() {
    return toJson();
  }
}
