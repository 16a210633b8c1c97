package dev.symmim.transforms.images;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;
import org.junit.Test;

public class ImageResizerTest {
  private static RasterImage grey(int h, int w, java.util.function.IntBinaryOperator value) {
    byte[] p = new byte[h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        p[y * w + x] = (byte) value.applyAsInt(y, x);
      }
    }
    return new RasterImage(h, w, 1, p);
  }

  @Test
  public void sameSizeIsReturnedUnchanged() {
    RasterImage in = grey(8, 8, (y, x) -> x);
    assertSame(in, new ImageResizer(8).resizeAndCrop(in));
  }

  @Test
  public void stripWhoseScaledLengthPassesIntRangeIsResized() {
    // 1 x 64M pixels (the default --maxPixels) at 32 px, 1 x 10M at 224 px: scaled lengths of 2^31 and
    // 2.24e9 pixels overflowed an int (a NegativeArraySizeException, or a mirrored crop).
    for (int[] c : new int[][] {{32, 64 << 20}, {224, 10_000_000}}) {
      byte[] ramp = new byte[c[1]];
      for (int x = 0; x < ramp.length; x++) {
        ramp[x] = (byte) (x * 256L / ramp.length);
      }
      RasterImage out = new ImageResizer(c[0]).resizeAndCrop(new RasterImage(1, c[1], 1, ramp));
      assertEquals(c[0], out.width());
      byte[] row = Arrays.copyOf(out.pixels(), c[0]);
      for (int x = 1; x < row.length; x++) {
        assertTrue("size " + c[0] + ": the center of a rising ramp rises, got " + Arrays.toString(row),
            (row[x] & 0xff) >= (row[x - 1] & 0xff));
      }
      assertTrue(Math.abs((row[0] & 0xff) - 128) <= 1 && Math.abs((row[c[0] - 1] & 0xff) - 128) <= 1);
    }
  }

  @Test
  public void constantImageStaysConstantUpAndDown() {
    for (int size : new int[] {5, 32, 100}) {
      RasterImage out = new ImageResizer(size).resizeAndCrop(grey(28, 40, (y, x) -> 77));
      assertEquals(size, out.width());
      assertEquals(size, out.height());
      for (byte b : out.pixels()) {
        assertEquals(77, b & 0xff);
      }
    }
  }

  @Test
  public void downscalingAveragesInsteadOfAliasing() {
    // A 1-pixel checkerboard shrunk 8x must become mid-grey everywhere, not black or white.
    RasterImage out = new ImageResizer(8).resizeAndCrop(grey(64, 64, (y, x) -> (x + y) % 2 == 0 ? 0 : 255));
    for (byte b : out.pixels()) {
      int v = b & 0xff;
      assertTrue("value " + v, v > 100 && v < 155);
    }
  }

  @Test
  public void cropsTheCenterOfTheLongerSide() {
    // 10 rows x 30 columns, value = column; resize to 10 keeps the middle 10 columns: 10..19.
    RasterImage out = new ImageResizer(10).resizeAndCrop(grey(10, 30, (y, x) -> x));
    byte[] firstRow = Arrays.copyOf(out.pixels(), 10);
    byte[] expected = new byte[10];
    for (int i = 0; i < 10; i++) {
      expected[i] = (byte) (10 + i);
    }
    assertArrayEquals(expected, firstRow);
  }

  @Test
  public void keepsChannelsInterleaved() {
    byte[] p = new byte[4 * 4 * 3];
    for (int i = 0; i < p.length; i += 3) {
      p[i] = 10;
      p[i + 1] = 20;
      p[i + 2] = 30;
    }
    RasterImage out = new ImageResizer(2).resizeAndCrop(new RasterImage(4, 4, 3, p));
    assertArrayEquals(new byte[] {10, 20, 30, 10, 20, 30, 10, 20, 30, 10, 20, 30}, out.pixels());
  }

  @Test
  public void greyToRgbAndBackIsLossless() {
    RasterImage g = grey(3, 3, (y, x) -> y * 50 + x * 7);
    assertArrayEquals(g.pixels(), g.withChannels(3).withChannels(1).pixels());
  }
}
