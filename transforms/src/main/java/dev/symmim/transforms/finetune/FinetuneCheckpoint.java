package dev.symmim.transforms.finetune;

import com.google.gson.Gson;
import dev.symmim.model.checkpoint.Checkpoint;
import dev.symmim.model.checkpoint.CheckpointJson;
import dev.symmim.model.checkpoint.TensorArchive;
import dev.symmim.model.checkpoint.TrainingState;
import dev.symmim.model.finetune.FineTuneConfig;
import dev.symmim.model.finetune.FineTuneState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;

/**
 * A fine-tuning checkpoint directory, laid out like a pretraining one ({@code config.json} holding
 * the {@code FineTuneConfig}, {@code state.json}, {@code tensors.bin} with {@code online/...}
 * parameters and {@code adam.m/}, {@code adam.v/} moments), so the checkpoint stores commit it the
 * same way.
 */
public final class FinetuneCheckpoint {
  private static final Gson GSON = new Gson();

  private FinetuneCheckpoint() {}

  public static void save(FineTuneState state, Path dir) throws IOException {
    Files.createDirectories(dir);
    TensorArchive.write(dir.resolve(Checkpoint.TENSORS_FILE), new ArrayList<>(state.tensors().values()));
    Files.writeString(dir.resolve(Checkpoint.CONFIG_FILE), state.config().toJson(), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve(Checkpoint.STATE_FILE), GSON.toJson(state.state()), StandardCharsets.UTF_8);
  }

  public static FineTuneState load(Path dir) throws IOException {
    FineTuneConfig config = CheckpointJson.read(dir.resolve(Checkpoint.CONFIG_FILE), FineTuneConfig::fromJson);
    TrainingState state = CheckpointJson.read(dir.resolve(Checkpoint.STATE_FILE),
        json -> GSON.fromJson(json, TrainingState.class));
    return new FineTuneState(config, state, TensorArchive.read(dir.resolve(Checkpoint.TENSORS_FILE)));
  }
}
