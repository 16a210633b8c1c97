package dev.symmim.model.finetune;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.Assert.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.symmim.model.checkpoint.Checkpoint;
import dev.symmim.model.checkpoint.NamedTensor;
import dev.symmim.model.infer.Branch;
import dev.symmim.model.train.SymMimTrainer;
import dev.symmim.model.vit.Parameter;
import dev.symmim.model.vit.StepContext;
import dev.symmim.model.vit.VisionTransformer;
import dev.symmim.model.vit.VitSpec;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class ImageClassifierTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void logitsAndHiddenStatesHaveTheExpectedShapes() {
    for (HeadPooling pooling : HeadPooling.values()) {
      FineTuneConfig config = FineTuneFixtures.config().pooling(pooling).build();
      try (NDManager m = NDManager.newBaseManager(); StepContext ctx = new StepContext(m, DataType.FLOAT32)) {
        ImageClassifier c = new ImageClassifier(m, config);
        NDArray images = ctx.create(FineTuneFixtures.images(3, 16, 1, 1), new Shape(3, 16, 16, 1));
        assertThat(c.logits(ctx, images, null).getShape(), equalTo(new Shape(3, FineTuneFixtures.CLASSES)));
        boolean hasFcNorm = c.parameters().stream().anyMatch(p -> p.name().startsWith("fc_norm."));
        assertThat(pooling.name(), hasFcNorm, equalTo(pooling == HeadPooling.MEAN_PATCH));
        VisionTransformer.Encoded e = c.encoder().encode(ctx,
            ctx.create(new float[3 * 16 * 16], new Shape(3, 16, 16)), null, null);
        assertThat(e.tokens().getShape(), equalTo(new Shape(3, 17, 32)));
        assertThat(e.hiddenStates().size(), equalTo(2));
        assertThat(e.hiddenStates().get(1).getShape(), equalTo(new Shape(3, 17, 32)));
        // The final tokens are the final norm of the last hidden state.
        assertThat(c.encoder().finalNorm(ctx, e.hiddenStates().get(1)).toFloatArray(),
            equalTo(e.tokens().toFloatArray()));
      }
    }
  }

  @Test
  public void headStartsNearZeroAndNamesFollowTheCheckpoint() {
    try (NDManager m = NDManager.newBaseManager()) {
      ImageClassifier c = new ImageClassifier(m, FineTuneFixtures.config().build());
      List<Parameter> params = c.parameters();
      assertThat(params.get(0).name(), equalTo("encoder.cls_token"));
      assertThat(params.get(2).name(), equalTo("encoder.patch_embed.weight"));
      Parameter head = params.get(params.size() - 2);
      assertThat(head.name(), equalTo("head.weight"));
      double sumSq = 0;
      for (float v : head.array().toFloatArray()) {
        sumSq += v * v;
      }
      double std = Math.sqrt(sumSq / head.size());
      assertThat(std > 1e-5 && std < 4e-5, equalTo(true));
      assertThat(params.get(params.size() - 1).array().toFloatArray(), equalTo(new float[FineTuneFixtures.CLASSES]));
    }
  }

  @Test
  public void randomEncoderEqualsThePretrainingEncoderOfTheSameSeed() {
    try (SymMimTrainer pre = new SymMimTrainer(FineTuneFixtures.pretrainConfig());
        FineTuneTrainer ft = FineTuneTrainer.fromScratch(FineTuneFixtures.config().build())) {
      Map<String, NamedTensor> expected = pre.checkpoint().tensors();
      assertEncoderEquals(ft.classifier(), expected, "online/");
    }
  }

  @Test
  public void encoderInitialisedFromASymMimCheckpoint() throws Exception {
    Path dir = tmp.newFolder("ckpt").toPath();
    try (SymMimTrainer pre = new SymMimTrainer(FineTuneFixtures.pretrainConfig())) {
      float[] v1 = FineTuneFixtures.images(8, 16, 1, 1);
      float[] v2 = FineTuneFixtures.images(8, 16, 1, 2);
      pre.step(v1, v2);
      pre.step(v1, v2);
      pre.save(dir);
    }
    Checkpoint ckpt = Checkpoint.load(dir);
    FineTuneConfig config = FineTuneFixtures.config().seed(99).build();
    for (Branch branch : Branch.values()) {
      try (FineTuneTrainer ft = FineTuneTrainer.fromPretrained(config, ckpt, branch)) {
        assertEncoderEquals(ft.classifier(), ckpt.tensors(), branch == Branch.ONLINE ? "online/" : "momentum/");
      }
    }
    // The two branches differ after two EMA steps, so the test can tell them apart.
    assertThat(java.util.Arrays.equals(ckpt.tensor("online/encoder.blocks.0.attn.qkv.weight").data(),
        ckpt.tensor("momentum/encoder.blocks.0.attn.qkv.weight").data()), equalTo(false));
  }

  private static void assertEncoderEquals(ImageClassifier c, Map<String, NamedTensor> tensors, String prefix) {
    int checked = 0;
    for (Parameter p : c.encoder().parameters()) {
      assertThat(p.name(), p.array().toFloatArray(), equalTo(tensors.get(prefix + p.name()).data()));
      checked++;
    }
    assertThat(checked, equalTo(4 + 2 * 12 + 2));
  }

  @Test
  public void mismatchedCheckpointsFailNamingTheTensorAndBothShapes() throws Exception {
    Map<String, NamedTensor> tensors;
    try (SymMimTrainer pre = new SymMimTrainer(FineTuneFixtures.pretrainConfig())) {
      tensors = pre.checkpoint().tensors();
    }
    try (NDManager m = NDManager.newBaseManager()) {
      // Wider model: every shape differs; the first one is named with both shapes.
      VitSpec wider = new VitSpec(16, 4, 1, 48, 2, 2, 4);
      ImageClassifier c = new ImageClassifier(m, FineTuneConfig.builder(wider, 4).build());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.loadEncoder(tensors, "online/"));
      assertThat(e.getMessage(), equalTo(
          "online/encoder.cls_token: checkpoint shape (1, 1, 32) != model shape (1, 1, 48)"));
      // Other patch size: the patch embedding's shape differs.
      ImageClassifier p8 = new ImageClassifier(m, FineTuneConfig.builder(new VitSpec(16, 8, 1, 32, 2, 2, 4), 4).build());
      e = assertThrows(IllegalArgumentException.class, () -> p8.loadEncoder(tensors, "online/"));
      assertThat(e.getMessage(), equalTo(
          "online/encoder.patch_embed.weight: checkpoint shape (32, 16) != model shape (32, 64)"));

      // A missing tensor is named.
      ImageClassifier same = new ImageClassifier(m, FineTuneFixtures.config().build());
      Map<String, NamedTensor> missing = new LinkedHashMap<>(tensors);
      missing.remove("online/encoder.blocks.1.mlp.fc1.weight");
      e = assertThrows(IllegalArgumentException.class, () -> same.loadEncoder(missing, "online/"));
      assertThat(e.getMessage(), containsString("no tensor online/encoder.blocks.1.mlp.fc1.weight"));

      // A shallower model than the checkpoint is not loaded silently.
      ImageClassifier shallow = new ImageClassifier(m,
          FineTuneConfig.builder(new VitSpec(16, 4, 1, 32, 1, 2, 4), 4).build());
      e = assertThrows(IllegalArgumentException.class, () -> shallow.loadEncoder(tensors, "online/"));
      assertThat(e.getMessage(), containsString("online/encoder.blocks.1."));
    }
  }

  @Test
  public void checkpointWithOtherHeadCountIsRejected() throws Exception {
    Path dir = tmp.newFolder("heads").toPath();
    try (SymMimTrainer pre = new SymMimTrainer(FineTuneFixtures.pretrainConfig()
        .withEncoder(new VitSpec(16, 4, 1, 32, 2, 4, 4)))) {
      pre.save(dir);
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FineTuneTrainer.fromPretrained(FineTuneFixtures.config().build(), Checkpoint.load(dir), Branch.ONLINE)
            .close());
    assertThat(e.getMessage(), containsString("encoder.heads 2 != the checkpoint's 4"));
  }
}
