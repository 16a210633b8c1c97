package dev.symmim.model.infer;

import dev.symmim.model.config.Schedule;
import dev.symmim.model.config.RunSettings;
import dev.symmim.model.config.Optimisation;
import dev.symmim.model.config.ContrastiveHeads;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.symmim.model.config.DeviceKind;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.model.masking.Mask;
import dev.symmim.model.masking.Masks;
import dev.symmim.model.masking.PatchGrid;
import dev.symmim.model.runtime.TorchRuntime;
import dev.symmim.model.train.SymMimTrainer;
import dev.symmim.model.vit.VitSpec;
import java.util.Random;
import org.junit.Test;

public class ReconstructorTest {
  @Test
  public void visiblePatchesKeepTheirPixelsAndMaskedOnesArePredicted() {
    PretrainConfig config = PretrainConfig.of(new VitSpec(16, 4, 1, 16, 1, 2, 2)).withHeads(new ContrastiveHeads(32, 16, 32))
        .withOptimisation(Optimisation.pretraining().withBatch(2, 1.5e-4)).withSchedule(Schedule.epochs(1, 1))
        .withRun(RunSettings.defaults().withSeed(5).withThreads(1, 1));
    byte[] image = new byte[16 * 16];
    new Random(2).nextBytes(image);
    Mask m1 = Masks.checkerboard(PatchGrid.of(16, 16, 4), 0);
    try (SymMimTrainer t = new SymMimTrainer(config);
        Reconstructor r = new Reconstructor(t.checkpoint(), TorchRuntime.device(DeviceKind.CPU))) {
      byte[] out = r.reconstruct(image, m1);
      assertEquals(image.length, out.length);
      int changed = 0;
      for (int y = 0; y < 16; y++) {
        for (int x = 0; x < 16; x++) {
          boolean masked = m1.isMasked(y / 4, x / 4);
          if (!masked) {
            assertEquals("visible pixel " + y + "," + x, image[y * 16 + x], out[y * 16 + x]);
          } else if (image[y * 16 + x] != out[y * 16 + x]) {
            changed++;
          }
        }
      }
      assertTrue("masked pixels must come from the head: " + changed, changed > 100);
      // the complementary checkerboard predicts the other half; together they cover every pixel
      byte[] other = r.reconstruct(image, Masks.checkerboard(PatchGrid.of(16, 16, 4), 1));
      for (int i = 0; i < image.length; i++) {
        boolean maskedInFirst = m1.isMasked(i / 16 / 4, i % 16 / 4);
        assertEquals(maskedInFirst ? other[i] : out[i], image[i]);
      }
    }
  }
}
