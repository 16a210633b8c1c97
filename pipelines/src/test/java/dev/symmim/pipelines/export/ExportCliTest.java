package dev.symmim.pipelines.export;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.symmim.model.checkpoint.NamedTensor;
import dev.symmim.model.checkpoint.Safetensors;
import dev.symmim.model.config.ContrastiveHeads;
import dev.symmim.model.config.DeviceKind;
import dev.symmim.model.config.Normalization;
import dev.symmim.model.config.Optimisation;
import dev.symmim.model.config.Precision;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.model.config.RunSettings;
import dev.symmim.model.config.Schedule;
import dev.symmim.model.finetune.FineTuneConfig;
import dev.symmim.model.finetune.FineTuneTrainer;
import dev.symmim.model.finetune.HeadPooling;
import dev.symmim.model.train.SymMimTrainer;
import dev.symmim.model.vit.VitSpec;
import dev.symmim.pipelines.cli.Symmim;
import dev.symmim.transforms.finetune.FinetuneCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code symmim export} in-process on tiny checkpoints made here: the timm names and shapes of a
 * pretraining and a fine-tuning checkpoint's export, config.json, the metadata an import reads, and
 * the errors.
 */
public class ExportCliTest {
  static final VitSpec SPEC = new VitSpec(16, 4, 3, 32, 2, 2, 4);
  static final ObjectMapper JSON = new ObjectMapper();
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  static PretrainConfig pretrainConfig() {
    return PretrainConfig.of(SPEC)
        .withHeads(new ContrastiveHeads(64, 32, 64))
        .withOptimisation(Optimisation.pretraining().withBatch(8, 1e-3))
        .withSchedule(new Schedule(1, 10, 0.99, 1.0))
        .withNormalization(new Normalization(new float[] {0.1f, 0.2f, 0.3f}, new float[] {0.4f, 0.5f, 0.6f}))
        .withRun(new RunSettings(7, Precision.FP32, DeviceKind.CPU, 1, 1));
  }

  /** The timm names and shapes of a dim-32 depth-2 encoder on 3-channel 16 px images, patch 4. */
  static List<String> encoderShapes() {
    List<String> s = new ArrayList<>(List.of("cls_token[1, 1, 32]", "pos_embed[1, 17, 32]",
        "patch_embed.proj.weight[32, 3, 4, 4]", "patch_embed.proj.bias[32]"));
    for (int b = 0; b < 2; b++) {
      String p = "blocks." + b + ".";
      s.addAll(List.of(p + "norm1.weight[32]", p + "norm1.bias[32]", p + "attn.qkv.weight[96, 32]",
          p + "attn.qkv.bias[96]", p + "attn.proj.weight[32, 32]", p + "attn.proj.bias[32]", p + "norm2.weight[32]",
          p + "norm2.bias[32]", p + "mlp.fc1.weight[128, 32]", p + "mlp.fc1.bias[128]", p + "mlp.fc2.weight[32, 128]",
          p + "mlp.fc2.bias[32]"));
    }
    s.addAll(List.of("norm.weight[32]", "norm.bias[32]"));
    return s;
  }

  static List<String> shapes(Safetensors.Contents c) {
    List<String> out = new ArrayList<>();
    for (NamedTensor t : c.tensors().values()) {
      out.add(t.name() + java.util.Arrays.toString(t.shape()));
    }
    return out;
  }

  @Test
  public void aPretrainingCheckpointExportsEitherEncoderWithTimmNamesShapesAndConfig() throws Exception {
    Path ckpt = tmp.newFolder("ckpt").toPath();
    PretrainConfig config = pretrainConfig();
    try (SymMimTrainer t = new SymMimTrainer(config)) {
      t.save(ckpt);
    }
    Path out = tmp.getRoot().toPath().resolve("export");
    assertEquals(0, Symmim.run(new String[] {"export", "--checkpoint=" + ckpt, "--output=" + out}));
    Safetensors.Contents c = Safetensors.read(Files.readAllBytes(out.resolve(ExportCommand.WEIGHTS_FILE)));
    assertEquals(encoderShapes(), shapes(c));
    assertEquals("2", c.metadata().get("num_heads"));
    assertEquals("[0.1,0.2,0.3]", c.metadata().get("mean"));
    assertEquals("sincos", c.metadata().get("pos_embed"));

    JsonNode cfg = JSON.readTree(out.resolve(ExportCommand.CONFIG_FILE).toFile());
    assertEquals(16, cfg.get("img_size").asInt());
    assertEquals(4, cfg.get("patch_size").asInt());
    assertEquals(3, cfg.get("in_chans").asInt());
    assertEquals(32, cfg.get("embed_dim").asInt());
    assertEquals(2, cfg.get("depth").asInt());
    assertEquals(2, cfg.get("num_heads").asInt());
    assertEquals(4.0, cfg.get("mlp_ratio").asDouble(), 0);
    assertEquals("token", cfg.get("global_pool").asText());
    assertEquals(1e-6, cfg.get("layer_norm_eps").asDouble(), 0);
    assertEquals(0.5, cfg.get("std").get(1).asDouble(), 1e-7);
    assertEquals(0, cfg.get("timm_kwargs").get("num_classes").asInt());
    assertTrue(cfg.get("timm_kwargs").get("class_token").asBoolean());
    assertEquals("pretrain", cfg.get("source").get("kind").asText());
    String readme = Files.readString(out.resolve(ExportCommand.README_FILE));
    assertThat(readme, containsString("def vit_features(w, cfg, x):"));
    assertThat(readme, containsString("VisionTransformer(**cfg[\"timm_kwargs\"])"));

    Safetensors.Contents online = c;
    Path momentumOut = tmp.getRoot().toPath().resolve("export-momentum");
    Symmim.run(new String[] {"export", "--checkpoint=" + ckpt, "--output=" + momentumOut, "--encoder=momentum"});
    Safetensors.Contents momentum = Safetensors.read(Files.readAllBytes(momentumOut.resolve(ExportCommand.WEIGHTS_FILE)));
    assertEquals(encoderShapes(), shapes(momentum));
    // At step 0 the EMA copy equals the online encoder; the files differ only in their metadata's source.
    assertArrayEquals(online.tensor("blocks.1.mlp.fc1.weight").data(), momentum.tensor("blocks.1.mlp.fc1.weight").data(),
        0f);
  }

  @Test
  public void aFineTuningCheckpointExportsTheHeadAndFcNormForMeanPooling() throws Exception {
    FineTuneConfig config = FineTuneConfig.builder(SPEC, 5).pooling(HeadPooling.MEAN_PATCH).batchSize(8)
        .schedule(10, 0.1).seed(3).threads(1, 1).device(DeviceKind.CPU)
        .channelStats(new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.25f, 0.25f, 0.25f}).build();
    Path run = tmp.newFolder("ft").toPath();
    Path ckpt = run.resolve("checkpoints/step-00000000");
    try (FineTuneTrainer t = FineTuneTrainer.fromScratch(config)) {
      FinetuneCheckpoint.save(t.state(), ckpt);
    }
    Files.writeString(run.resolve("checkpoints/LATEST"), "step-00000000\n");
    Path out = tmp.getRoot().toPath().resolve("export");
    Symmim.run(new String[] {"export", "--checkpoint=" + run, "--output=" + out}); // a run directory: its LATEST
    Safetensors.Contents c = Safetensors.read(Files.readAllBytes(out.resolve(ExportCommand.WEIGHTS_FILE)));
    List<String> expected = new ArrayList<>(encoderShapes());
    expected.addAll(List.of("fc_norm.weight[32]", "fc_norm.bias[32]", "head.weight[5, 32]", "head.bias[5]"));
    assertEquals(expected, shapes(c));
    JsonNode cfg = JSON.readTree(out.resolve(ExportCommand.CONFIG_FILE).toFile());
    assertEquals("avg", cfg.get("global_pool").asText());
    assertTrue(cfg.get("timm_kwargs").get("fc_norm").asBoolean());
    assertEquals(5, cfg.get("num_classes").asInt());
    assertTrue("no run.json, so no dataset to name the classes", cfg.get("class_names").isNull());
    assertEquals("finetune", cfg.get("source").get("kind").asText());
    assertThat(Files.readString(out.resolve(ExportCommand.README_FILE)), containsString("model.norm = torch.nn.LayerNorm"));

    assertThat(assertThrows(IllegalArgumentException.class, () -> Symmim.run(new String[] {"export",
        "--checkpoint=" + run, "--output=" + out, "--encoder=momentum"})).getMessage(),
        containsString("--encoder=momentum: is not in a fine-tuning checkpoint"));
  }

  @Test
  public void missingFlagsAndCheckpointsAreNamed() throws Exception {
    assertThat(assertThrows(IllegalArgumentException.class, () -> Symmim.run(new String[] {"export",
        "--output=" + tmp.getRoot()})).getMessage(), containsString("--checkpoint is required"));
    Path empty = tmp.newFolder("empty").toPath();
    assertThat(assertThrows(IllegalArgumentException.class, () -> Symmim.run(new String[] {"export",
        "--checkpoint=" + empty, "--output=" + tmp.getRoot()})).getMessage(),
        containsString("--checkpoint=" + empty + ": " + empty + " holds no checkpoint"));
    assertThat(assertThrows(IllegalArgumentException.class, () -> Symmim.run(new String[] {"export",
        "--checkpoint=" + empty, "--output=s3://bucket/x"})).getMessage(),
        containsString("--output=s3://bucket/x: must be a local directory or gs://bucket/path"));
  }
}
