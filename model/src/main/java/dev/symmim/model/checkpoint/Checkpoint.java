package dev.symmim.model.checkpoint;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.symmim.model.config.PretrainConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;

/**
 * A checkpoint directory: {@code config.json} (the run's {@link PretrainConfig}),
 * {@code state.json} ({@link TrainingState}) and {@code tensors.bin} ({@link TensorArchive}) with
 * tensors named {@code online/...}, {@code momentum/...}, {@code adam.m/...}, {@code adam.v/...}.
 */
public record Checkpoint(PretrainConfig config, TrainingState state, Map<String, NamedTensor> tensors) {
  public static final String CONFIG_FILE = "config.json";
  public static final String STATE_FILE = "state.json";
  public static final String TENSORS_FILE = "tensors.bin";

  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

  public void save(Path dir) throws IOException {
    Files.createDirectories(dir);
    TensorArchive.write(dir.resolve(TENSORS_FILE), new ArrayList<>(tensors.values()));
    Files.writeString(dir.resolve(CONFIG_FILE), config.toJson(), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve(STATE_FILE), GSON.toJson(state), StandardCharsets.UTF_8);
  }

  /** Loads {@code dir}; a malformed JSON file is reported naming it (see {@link CheckpointJson}). */
  public static Checkpoint load(Path dir) throws IOException {
    PretrainConfig config = CheckpointJson.read(dir.resolve(CONFIG_FILE), PretrainConfig::fromJson);
    TrainingState state = CheckpointJson.read(dir.resolve(STATE_FILE), json -> GSON.fromJson(json, TrainingState.class));
    return new Checkpoint(config, state, TensorArchive.read(dir.resolve(TENSORS_FILE)));
  }

  /** The tensor of that name; fails with the name if absent. */
  public NamedTensor tensor(String name) {
    NamedTensor t = tensors.get(name);
    if (t == null) {
      throw new IllegalArgumentException("checkpoint has no tensor " + name);
    }
    return t;
  }
}
