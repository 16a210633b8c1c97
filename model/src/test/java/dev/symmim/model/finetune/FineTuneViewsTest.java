package dev.symmim.model.finetune;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import dev.symmim.model.augment.FloatImage;
import dev.symmim.model.augment.SymMimViews;
import dev.symmim.model.random.SeededRandom;
import org.junit.Test;

public class FineTuneViewsTest {
  private static FloatImage[] images(int n) {
    float[] px = FineTuneFixtures.images(n, 28, 1, 9);
    FloatImage[] out = new FloatImage[n];
    for (int i = 0; i < n; i++) {
      out[i] = new FloatImage(28, 28, 1, java.util.Arrays.copyOfRange(px, i * 784, (i + 1) * 784));
    }
    return out;
  }

  @Test
  public void viewsDependOnlyOnSeedEpochAndIndex() {
    FineTuneViews views = new FineTuneViews(16, new FineTuneConfig.Augmentation(0.5, true));
    FloatImage[] imgs = images(6);
    float[] a = views.trainBatch(imgs, new int[] {4, 1}, 3, 2);
    float[] b = views.trainBatch(imgs, new int[] {1, 4}, 3, 2);
    assertThat(a.length, equalTo(2 * 16 * 16));
    // Image 4's view is the same whatever its position in the batch.
    assertThat(java.util.Arrays.copyOfRange(a, 0, 256), equalTo(java.util.Arrays.copyOfRange(b, 256, 512)));
    assertThat(views.trainBatch(imgs, new int[] {4, 1}, 3, 3), not(equalTo(a)));
  }

  @Test
  public void fullScaleWithoutFlipIsTheEvalView() {
    FineTuneViews views = new FineTuneViews(16, new FineTuneConfig.Augmentation(1.0, false));
    FloatImage[] imgs = images(3);
    assertThat(views.trainBatch(imgs, new int[] {0, 1, 2}, 1, 0), equalTo(views.evalBatch(imgs, 0, 3)));
  }

  @Test
  public void withFlipItMatchesSymMimViewOne() {
    FineTuneViews views = new FineTuneViews(16, new FineTuneConfig.Augmentation(0.3, true));
    SymMimViews sym = new SymMimViews(16, 0.3, 0.08);
    FloatImage img = images(1)[0];
    assertThat(views.train(img, SeededRandom.forSample(1, 2, 3)), equalTo(sym.view1(img, SeededRandom.forSample(1, 2, 3))));
  }
}
