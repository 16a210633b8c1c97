package dev.symmim.model.infer;

import dev.symmim.model.config.Precision;
import dev.symmim.model.config.Schedule;
import dev.symmim.model.config.RunSettings;
import dev.symmim.model.config.Optimisation;
import dev.symmim.model.config.ContrastiveHeads;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import ai.djl.Device;
import dev.symmim.model.checkpoint.Checkpoint;
import dev.symmim.model.config.DeviceKind;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.model.train.SymMimTrainer;
import dev.symmim.model.vit.VitSpec;
import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class EmbeddingPredictorTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void embedsUint8ImagesFromASavedCheckpoint() throws Exception {
    PretrainConfig config = PretrainConfig.of(new VitSpec(8, 4, 1, 16, 1, 2, 4)).withHeads(new ContrastiveHeads(32, 16, 32))
        .withOptimisation(Optimisation.pretraining().withBatch(4, 1.5e-4)).withSchedule(Schedule.steps(10))
        .withRun(new RunSettings(0, Precision.FP32, DeviceKind.CPU, 2, 1));
    float[] views = new float[4 * 8 * 8];
    for (int i = 0; i < views.length; i++) {
      views[i] = (i % 7) / 7f;
    }
    Path dir = tmp.newFolder("ckpt").toPath();
    try (SymMimTrainer trainer = new SymMimTrainer(config)) {
      trainer.step(views, views);
      trainer.save(dir);
    }
    byte[] pixels = new byte[3 * 8 * 8];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) (i * 37);
    }
    Checkpoint checkpoint = Checkpoint.load(dir);
    try (EmbeddingPredictor online = new EmbeddingPredictor(checkpoint, Branch.ONLINE, Device.cpu());
        EmbeddingPredictor momentum = new EmbeddingPredictor(checkpoint, Branch.MOMENTUM, Device.cpu())) {
      float[][] e = online.embed(pixels, 3);
      assertThat(e.length, equalTo(3));
      assertThat(e[0].length, equalTo(16));
      assertThat(online.embed(pixels, 3), equalTo(e));
      assertThat(momentum.embed(pixels, 3)[0], not(equalTo(e[0])));
      // Other sizes are resized to the model's 8x8 first; an 8x8 input through that path is unchanged.
      assertThat(online.embed(pixels, 3, 8, 8), equalTo(e));
      float[][] larger = online.embed(new byte[2 * 12 * 10], 2, 12, 10);
      assertThat(larger.length, equalTo(2));
      assertThat(larger[0].length, equalTo(16));
    }
    try (EmbeddingPredictor mean = new EmbeddingPredictor(checkpoint, Branch.ONLINE, Device.cpu(), Readout.parse("mean"));
        EmbeddingPredictor cls = new EmbeddingPredictor(checkpoint, Branch.ONLINE, Device.cpu())) {
      float[][] m = mean.embed(pixels, 3);
      assertThat(mean.readout(), equalTo(Readout.parse("mean")));
      assertThat(m.length, equalTo(3));
      assertThat(m[0].length, equalTo(16));
      assertThat(m[0], not(equalTo(cls.embed(pixels, 3)[0])));
    }
  }

  @Test
  public void meanPatchPoolingIsTheMeanOfThePatchTokens() throws Exception {
    PretrainConfig config = PretrainConfig.of(new VitSpec(8, 4, 1, 16, 1, 2, 4)).withHeads(new ContrastiveHeads(32, 16, 32))
        .withOptimisation(Optimisation.pretraining().withBatch(4, 1.5e-4)).withSchedule(Schedule.steps(10))
        .withRun(new RunSettings(0, Precision.FP32, DeviceKind.CPU, 1, 1));
    Checkpoint checkpoint;
    try (SymMimTrainer trainer = new SymMimTrainer(config)) {
      checkpoint = trainer.checkpoint();
    }
    byte[] pixels = new byte[8 * 8];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) (i * 13);
    }
    float[] expected = new float[16];
    try (ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager(Device.cpu())) {
      dev.symmim.model.vit.VisionTransformer encoder = new dev.symmim.model.vit.VisionTransformer(
          new dev.symmim.model.vit.ParameterFactory(manager, new dev.symmim.model.random.SeededRandom(0), false)
              .scope("encoder"), config.encoder());
      for (dev.symmim.model.vit.Parameter p : encoder.parameters()) {
        p.array().set(checkpoint.tensor("online/" + p.name()).data());
      }
      float[] x = new float[64];
      for (int i = 0; i < 64; i++) {
        x[i] = ((pixels[i] & 0xFF) / 255f - config.normalization().mean()[0]) / config.normalization().std()[0];
      }
      try (dev.symmim.model.vit.StepContext ctx = new dev.symmim.model.vit.StepContext(manager,
          ai.djl.ndarray.types.DataType.FLOAT32)) {
        float[] tokens = encoder.forward(ctx, dev.symmim.model.vit.Patches.patchify(
            ctx.create(x, new ai.djl.ndarray.types.Shape(1, 8, 8, 1)), 4), null).toFloatArray();
        for (int t = 1; t <= 4; t++) {
          for (int d = 0; d < 16; d++) {
            expected[d] += tokens[t * 16 + d] / 4;
          }
        }
      }
    }
    try (EmbeddingPredictor mean = new EmbeddingPredictor(checkpoint, Branch.ONLINE, Device.cpu(), Readout.parse("mean"))) {
      float[] got = mean.embed(pixels, 1)[0];
      for (int d = 0; d < 16; d++) {
        assertThat(Math.abs(got[d] - expected[d]) < 1e-5, equalTo(true));
      }
    }
  }
}
