package dev.symmim.model.train;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import dev.symmim.model.checkpoint.Checkpoint;
import dev.symmim.model.checkpoint.NamedTensor;
import dev.symmim.model.config.ContrastiveHeads;
import dev.symmim.model.config.DeviceKind;
import dev.symmim.model.config.Losses;
import dev.symmim.model.config.Masking;
import dev.symmim.model.config.Precision;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.model.config.RunSettings;
import dev.symmim.model.masking.Parity;
import dev.symmim.model.vit.Parameter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The recipe options (unmasked teacher, clean contrastive input, contrastive read-out token) each
 * change the training step, and leaving them at their defaults changes nothing: the default path is
 * checked bit for bit against values recorded before the options existed (commit d903c84, 1 torch
 * thread, on the project's 2-core AMD EPYC machine kind; a CPU with other torch kernels may need
 * them re-recorded at that commit).
 */
public class RecipeOptionsTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  private static final float[] V1 = TinyRuns.images(8, 16, 3, 1);
  private static final float[] V2 = TinyRuns.images(8, 16, 3, 2);

  /** TinyRuns' config on one torch thread, so that the recorded values do not depend on the thread split. */
  private static PretrainConfig base() {
    return TinyRuns.config().withRun(new RunSettings(7, Precision.FP32, DeviceKind.CPU, 1, 1));
  }

  private static StepResult[] steps(PretrainConfig config, int n) {
    StepResult[] out = new StepResult[n];
    try (SymMimTrainer trainer = new SymMimTrainer(config)) {
      for (int i = 0; i < n; i++) {
        out[i] = trainer.step(V1, V2);
      }
    }
    return out;
  }

  /** {step, loss, mim, con, gradNorm} as raw double bits. */
  private static long[] bits(StepResult r) {
    return new long[] {r.step(), Double.doubleToLongBits(r.loss()), Double.doubleToLongBits(r.mimLoss()),
        Double.doubleToLongBits(r.conLoss()), Double.doubleToLongBits(r.gradNorm())};
  }

  static String digest(Checkpoint c) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    for (NamedTensor t : c.tensors().values()) {
      md.update(t.name().getBytes(StandardCharsets.UTF_8));
      ByteBuffer b = ByteBuffer.allocate(t.data().length * 4);
      for (float f : t.data()) {
        b.putFloat(f);
      }
      md.update(b.array());
    }
    return HexFormat.of().formatHex(md.digest());
  }

  @Test
  public void defaultRecipeIsBitIdenticalToBeforeTheOptions() throws Exception {
    long[][] expected = {
        {1, 4612550517497790464L, 4607409394399838208L, 4608684441341001728L, 4623487772400900925L},
        {2, 4612550519645274112L, 4607409394399838208L, 4608684445635969024L, 4623487792278652739L},
        {3, 4612160776596094976L, 4607389107121815552L, 4607925246278762496L, 4622100042988841902L}};
    try (SymMimTrainer trainer = new SymMimTrainer(base())) {
      for (long[] e : expected) {
        assertThat(bits(trainer.step(V1, V2)), equalTo(e));
      }
      assertThat(digest(trainer.checkpoint()),
          equalTo("f9d43173891141f3c1805559797c1c4060ebaac6822a3d8d82ea9a2d3eb5c8f7"));
    }
  }

  @Test
  public void randomParityIsBitIdenticalToBeforeTheOptions() {
    StepResult[] r = steps(base().withMasking(Masking.symmetric().withParity(Parity.RANDOM)), 3);
    assertThat(bits(r[1]), equalTo(new long[] {2, 4612203110478118912L, 4607406053452152832L, 4607992968249344000L,
        4627025426284440989L}));
    assertThat(bits(r[2]), equalTo(new long[] {3, 4612459195755659264L, 4607394611659276288L, 4608516580597301248L,
        4622983434830365179L}));
  }

  @Test
  public void explicitDefaultsAreTheDefaults() {
    PretrainConfig explicit = base()
        .withMasking(base().masking().withTeacherMask(Masking.TeacherMask.BLOCK))
        .withLosses(base().losses().withContrastiveInput(Losses.ContrastiveInput.MASKED))
        .withHeads(base().heads().withToken(ContrastiveHeads.Token.CLS));
    assertThat(explicit, equalTo(base()));
  }

  /** At step 1 the online weights are the initial ones: an option that only changes the contrastive side keeps L_mim. */
  private static void assertOnlyTheContrastiveLossChanges(PretrainConfig changed) {
    StepResult before = steps(base(), 1)[0];
    StepResult after = steps(changed, 2)[0];
    assertThat(after.refused(), equalTo(false));
    assertThat(after.mimLoss(), equalTo(before.mimLoss()));
    assertThat(after.conLoss(), not(equalTo(before.conLoss())));
    assertThat(Double.isFinite(after.loss()) && Double.isFinite(after.gradNorm()), equalTo(true));
  }

  @Test
  public void unmaskedTeacherChangesTheTargets() {
    assertOnlyTheContrastiveLossChanges(base().withMasking(base().masking().withTeacherMask(Masking.TeacherMask.NONE)));
  }

  @Test
  public void cleanContrastiveInputChangesTheQuery() {
    assertOnlyTheContrastiveLossChanges(
        base().withLosses(base().losses().withContrastiveInput(Losses.ContrastiveInput.CLEAN)));
  }

  @Test
  public void meanTokenChangesTheReadOut() {
    assertOnlyTheContrastiveLossChanges(base().withHeads(base().heads().withToken(ContrastiveHeads.Token.MEAN)));
  }

  @Test
  public void clsMeanTokenDoublesTheProjectorInput() {
    PretrainConfig config = base().withHeads(base().heads().withToken(ContrastiveHeads.Token.CLS_MEAN));
    assertOnlyTheContrastiveLossChanges(config);
    try (SymMimTrainer trainer = new SymMimTrainer(config)) {
      List<Parameter> all = trainer.model().trainable();
      Parameter first = all.stream().filter(p -> p.name().equals("projector.layers.0.linear.weight")).findFirst()
          .orElseThrow(() -> new AssertionError("no projector weight in " + all));
      assertThat(first.array().getShape().getShape(), equalTo(new long[] {64, 2 * 32}));
    }
  }

  @Test
  public void cleanInputLeavesTheReconstructionOnTheMaskedPass() {
    // lambda = 0: only L_mim trains, and it must be the masked pass's whatever the query's input.
    Losses mimOnly = new Losses(base().losses().reconstruction(), 0.2, 0.0, false);
    StepResult[] masked = steps(base().withLosses(mimOnly), 3);
    StepResult[] clean = steps(base().withLosses(mimOnly.withContrastiveInput(Losses.ContrastiveInput.CLEAN)), 3);
    for (int i = 0; i < 3; i++) {
      assertThat(clean[i].mimLoss(), equalTo(masked[i].mimLoss()));
      assertThat(Math.abs(clean[i].gradNorm() - masked[i].gradNorm()) < 1e-6 * masked[i].gradNorm(), equalTo(true));
    }
  }

  @Test
  public void everyOptionTogetherWithSymmetricContrastTrainsAndResumesExactly() throws Exception {
    PretrainConfig config = base()
        .withMasking(base().masking().withTeacherMask(Masking.TeacherMask.NONE).withParity(Parity.RANDOM))
        .withLosses(new Losses(base().losses().reconstruction(), 0.2, 1.0, true, Losses.ContrastiveInput.CLEAN))
        .withHeads(base().heads().withToken(ContrastiveHeads.Token.CLS_MEAN));
    java.nio.file.Path dir = tmp.newFolder("ckpt").toPath();
    try (SymMimTrainer original = new SymMimTrainer(config)) {
      for (int i = 0; i < 3; i++) {
        assertThat(original.step(V1, V2).refused(), equalTo(false));
      }
      original.save(dir);
      try (SymMimTrainer resumed = SymMimTrainer.load(dir)) {
        assertThat(resumed.config(), equalTo(config));
        assertThat(resumed.step(V1, V2), equalTo(original.step(V1, V2)));
        CheckpointRoundTripTest.assertSameState(resumed.checkpoint(), original.checkpoint());
      }
    }
  }
}
