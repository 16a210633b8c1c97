package dev.symmim.model.augment;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import dev.symmim.model.config.Augmentation;
import dev.symmim.model.random.SeededRandom;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.Test;

public class SymMimViewsTest {
  private static byte[][] images(int n, int h, int w, int c) {
    SeededRandom rng = new SeededRandom(11);
    byte[][] out = new byte[n][h * w * c];
    for (byte[] img : out) {
      for (int i = 0; i < img.length; i++) {
        img[i] = (byte) rng.nextInt(256);
      }
    }
    return out;
  }

  @Test
  public void viewsAreDeterministicPerSeedEpochAndIndex() {
    SymMimViews views = new SymMimViews(16, 0.2, 0.08);
    byte[][] imgs = images(4, 28, 28, 3);
    long[] idx = {0, 1, 2, 3};
    float[][] a = views.batch(imgs, 28, 28, 3, 5, 2, idx);
    float[][] b = views.batch(imgs, 28, 28, 3, 5, 2, idx);
    assertThat(a[0], equalTo(b[0]));
    assertThat(a[1], equalTo(b[1]));
    float[][] otherEpoch = views.batch(imgs, 28, 28, 3, 5, 3, idx);
    assertThat(otherEpoch[1], not(equalTo(a[1])));
  }

  @Test
  public void outputsHaveTheRightSizeAndStayInUnitRange() {
    for (int c : new int[] {1, 3}) {
      SymMimViews views = new SymMimViews(16, 0.2, 0.08);
      byte[][] imgs = images(8, 28, 20, c);
      float[][] v = views.batch(imgs, 28, 20, c, 1, 0, new long[] {0, 1, 2, 3, 4, 5, 6, 7});
      assertThat(v[0].length, equalTo(8 * 16 * 16 * c));
      assertThat(v[1].length, equalTo(8 * 16 * 16 * c));
      for (float[] view : v) {
        for (float x : view) {
          assertThat(x >= 0 && x <= 1, equalTo(true));
        }
      }
    }
  }

  @Test
  public void fullCropAtTheSameSizeIsTheIdentityAndFlipIsAnInvolution() {
    FloatImage img = FloatImage.fromUint8(images(1, 8, 8, 3)[0], 8, 8, 3);
    float[] crop = ImageOps.resizedCrop(img, 0, 0, 8, 8, 8);
    assertThat(crop, equalTo(img.data()));
    float[] flipped = crop.clone();
    ImageOps.flipHorizontal(flipped, 8, 3);
    assertThat(flipped, not(equalTo(crop)));
    ImageOps.flipHorizontal(flipped, 8, 3);
    assertThat(flipped, equalTo(crop));
  }

  @Test
  public void grayscaleEqualisesChannelsAndSolarizeInvertsBrightPixels() {
    float[] px = {0.2f, 0.6f, 0.9f, 0.1f, 0.1f, 0.1f};
    ImageOps.grayscale(px, 3);
    assertThat(px[0] == px[1] && px[1] == px[2], equalTo(true));
    float[] s = {0.25f, 0.75f};
    ImageOps.solarize(s, 0.5f);
    assertThat(s, equalTo(new float[] {0.25f, 0.25f}));
  }

  @Test
  public void hueRotationByAFullTurnIsTheIdentity() {
    float[] px = {0.2f, 0.6f, 0.9f};
    float[] copy = px.clone();
    ImageOps.hue(copy, 3, 0f);
    for (int i = 0; i < 3; i++) {
      assertThat(Math.abs(copy[i] - px[i]) < 1e-6, equalTo(true));
    }
  }

  private static String digest(float[][] views) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    for (float[] v : views) {
      ByteBuffer b = ByteBuffer.allocate(v.length * 4);
      for (float f : v) {
        b.putFloat(f);
      }
      md.update(b.array());
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static byte[][] grey(int n) {
    SeededRandom rng = new SeededRandom(11);
    byte[][] out = new byte[n][28 * 28];
    for (byte[] img : out) {
      for (int i = 0; i < img.length; i++) {
        img[i] = (byte) rng.nextInt(256);
      }
    }
    return out;
  }

  /** Recorded before --view2 existed (commit d903c84): the strong view 2 and its RNG use are unchanged. */
  @Test
  public void strongViewsAreBitIdenticalToBeforeTheView2Option() throws Exception {
    long[] idx = {0, 1, 2, 3, 4, 5};
    String expected = "d2ae6ed925fd757c14f4140ea131f45ffd8ebb13baf3aa366ee801bb6ce0d952";
    assertThat(digest(new SymMimViews(16, 0.2, 0.08).batch(grey(6), 28, 28, 1, 5, 2, idx)), equalTo(expected));
    assertThat(digest(new SymMimViews(16, 0.2, 0.08, Augmentation.View2.STRONG).batch(grey(6), 28, 28, 1, 5, 2, idx)),
        equalTo(expected));
  }

  @Test
  public void lightView2IsCropAndFlipAtTheView2Scale() {
    byte[][] imgs = images(4, 28, 28, 3);
    long[] idx = {0, 1, 2, 3};
    SymMimViews strong = new SymMimViews(16, 0.5, 0.3, Augmentation.View2.STRONG);
    SymMimViews light = new SymMimViews(16, 0.5, 0.3, Augmentation.View2.LIGHT);
    float[][] s = strong.batch(imgs, 28, 28, 3, 5, 2, idx);
    float[][] l = light.batch(imgs, 28, 28, 3, 5, 2, idx);
    assertThat(l[0], equalTo(s[0])); // view 1 and its RNG draws come first and are the same
    assertThat(l[1], not(equalTo(s[1])));
    int per = 16 * 16 * 3;
    for (int b = 0; b < idx.length; b++) {
      SeededRandom rng = SeededRandom.forSample(5, 2, idx[b]);
      FloatImage img = FloatImage.fromUint8(imgs[b], 28, 28, 3);
      new CropAndFlip(16, 0.5, true).apply(img, rng);
      float[] expected = new CropAndFlip(16, 0.3, true).apply(img, rng);
      float[] actual = java.util.Arrays.copyOfRange(l[1], b * per, (b + 1) * per);
      assertThat("sample " + b, actual, equalTo(expected));
    }
  }
}
