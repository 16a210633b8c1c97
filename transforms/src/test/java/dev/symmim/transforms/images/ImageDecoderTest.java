package dev.symmim.transforms.images;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import dev.symmim.transforms.failures.BadInputException;
import org.junit.Test;

public class ImageDecoderTest {
  private final ImageDecoder decoder = new ImageDecoder(64L << 20);

  @Test
  public void decodesGreyPngAtItsSize() throws Exception {
    RasterImage img = decoder.decode(Fixtures.bytes("top/a.png"));
    assertEquals(28, img.width());
    assertEquals(28, img.height());
    assertEquals(1, img.channels());
  }

  @Test
  public void decodesJpegAsRgbWithWidthAndHeightApart() throws Exception {
    RasterImage img = decoder.decode(Fixtures.bytes("top/b.jpg"));
    assertEquals(56, img.width());
    assertEquals(84, img.height());
    assertEquals(3, img.channels());
  }

  @Test
  public void dropsAlphaOfRgbaPng() throws Exception {
    RasterImage img = decoder.decode(Fixtures.bytes("trouser/c.png"));
    assertEquals(3, img.channels());
    assertEquals(84 * 56 * 3, img.pixels().length);
  }

  @Test
  public void greyBmpCopyHasTheSamePixelsAsThePng() throws Exception {
    RasterImage png = decoder.decode(Fixtures.bytes("top/a.png"));
    RasterImage bmp = decoder.decode(Fixtures.bytes("top/a-copy.bmp")).withChannels(1);
    assertArrayEquals(png.pixels(), bmp.pixels());
  }

  @Test
  public void decodesGif() throws Exception {
    assertEquals(28, decoder.decode(Fixtures.bytes("trouser/d.gif")).width());
  }

  private BadInputException refusal(String file) {
    return assertThrows(BadInputException.class, () -> decoder.decode(Fixtures.bytes(file)));
  }

  @Test
  public void refusesEmptyFile() {
    assertEquals("empty", refusal("bad/empty.png").kind());
  }

  @Test
  public void refusesTruncatedPng() {
    assertEquals("corrupt", refusal("bad/truncated.png").kind());
  }

  @Test
  public void refusesTruncatedJpegThatImageIoWouldFillWithGrey() {
    assertEquals("corrupt", refusal("bad/truncated.jpg").kind());
  }

  @Test
  public void refusesCorruptJpeg() {
    assertEquals("corrupt", refusal("bad/corrupt.jpg").kind());
  }

  @Test
  public void refusesText() {
    assertEquals("unsupported", refusal("bad/notes.txt").kind());
  }

  @Test
  public void refusesUnsupportedFormat() {
    assertEquals("unsupported", refusal("bad/image.webp").kind());
  }

  @Test
  public void refusesDecompressionBombFromItsHeader() {
    BadInputException e = refusal("bad/bomb.png");
    assertEquals("too-large", e.kind());
    assertThat(e.getMessage(), containsString("100000x100000"));
    assertThat(e.getMessage(), containsString("--maxPixels"));
  }

  @Test
  public void pixelLimitIsConfigurable() {
    ImageDecoder tight = new ImageDecoder(28 * 28 - 1);
    BadInputException e = assertThrows(BadInputException.class, () -> tight.decode(Fixtures.bytes("top/a.png")));
    assertEquals("too-large", e.kind());
  }
}
