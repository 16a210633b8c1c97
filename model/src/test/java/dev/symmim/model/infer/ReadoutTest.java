package dev.symmim.model.infer;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.symmim.model.checkpoint.Checkpoint;
import dev.symmim.model.config.ContrastiveHeads;
import dev.symmim.model.config.DeviceKind;
import dev.symmim.model.config.Optimisation;
import dev.symmim.model.config.Precision;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.model.config.RunSettings;
import dev.symmim.model.config.Schedule;
import dev.symmim.model.train.SymMimTrainer;
import dev.symmim.model.vit.VitSpec;
import java.util.List;
import org.junit.Test;

public class ReadoutTest {
  static final VitSpec SPEC = new VitSpec(16, 4, 1, 8, 3, 2, 2); // 4x4 patch grid, width 8, 3 blocks

  @Test
  public void partsParseAndSize() {
    Readout r = Readout.parse("cls+grid2");
    assertEquals(List.of(Readout.Part.CLS, Readout.Part.GRID2), r.parts());
    assertEquals("cls+grid2", r.flag());
    assertEquals(8 + 4 * 8, r.size(SPEC));
    assertEquals(3 * 8, Readout.parse("last4").size(SPEC)); // 3 blocks: all of them
    assertEquals(16 * 8, Readout.parse("grid4").size(SPEC));
    assertThat(assertThrows(IllegalArgumentException.class, () -> Readout.parse("cls+gap")).getMessage(),
        containsString("unknown read-out 'gap'"));
    assertThat(assertThrows(IllegalArgumentException.class,
        () -> Readout.parse("grid4").size(new VitSpec(24, 4, 1, 8, 1, 2, 2))).getMessage(),
        containsString("grid4 needs a square patch grid divisible by 4"));
  }

  @Test
  public void gridPoolingAveragesEachCellInRowMajorOrder() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      float[] tokens = new float[16 * 8];
      for (int t = 0; t < 16; t++) {
        for (int d = 0; d < 8; d++) {
          tokens[t * 8 + d] = t * 10 + d; // token t at grid row t / 4, column t % 4
        }
      }
      NDArray pooled = Readout.grid(m.create(tokens, new Shape(1, 16, 8)), SPEC, 2);
      float[] out = pooled.toFloatArray();
      assertEquals(32, out.length);
      // cell (0, 0) holds tokens 0, 1, 4, 5: mean 2.5 x 10; cell (1, 1) holds 10, 11, 14, 15: mean 12.5 x 10
      assertEquals(25f, out[0], 1e-5);
      assertEquals(125f + 3, out[3 * 8 + 3], 1e-5);
    }
  }

  @Test
  public void predictorWidthsFollowTheReadoutAndClsIsItsFirstPart() throws Exception {
    PretrainConfig config = PretrainConfig.of(SPEC).withHeads(new ContrastiveHeads(16, 8, 16))
        .withOptimisation(Optimisation.pretraining().withBatch(2, 1.5e-4)).withSchedule(Schedule.steps(2))
        .withRun(new RunSettings(1, Precision.FP32, DeviceKind.CPU, 1, 1));
    Checkpoint c;
    try (SymMimTrainer t = new SymMimTrainer(config)) {
      c = t.checkpoint();
    }
    byte[] pixels = new byte[2 * 16 * 16];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) (i * 7);
    }
    try (EmbeddingPredictor cls = new EmbeddingPredictor(c, Branch.ONLINE, Device.cpu());
        EmbeddingPredictor both = new EmbeddingPredictor(c, Branch.ONLINE, Device.cpu(), Readout.parse("cls+grid2+last4"))) {
      float[][] a = cls.embed(pixels, 2);
      float[][] b = both.embed(pixels, 2);
      assertEquals(8, a[0].length);
      assertEquals(8 + 32 + 24, b[0].length);
      assertArrayEquals(a[1], java.util.Arrays.copyOfRange(b[1], 0, 8), 1e-6f);
      // the last block's CLS, through the final norm, is the CLS of the final tokens
      assertArrayEquals(a[1], java.util.Arrays.copyOfRange(b[1], 8 + 32 + 16, 8 + 32 + 24), 1e-5f);
    }
  }
}
