package dev.symmim.transforms.images;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.symmim.transforms.failures.BadInputException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Arrays;
import javax.imageio.ImageIO;
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

  // CMYK and YCCK JPEGs (fixtures/cmyk, see make_cmyk_fixtures.py there): 32x32, quadrants of red
  // (M+Y ink), green (C+Y), blue (C+M) and white (no ink) or black (K only). Bounds leave room for
  // JPEG loss and for the generic CMYK profile's gamut (its green and blue are darker than sRGB's).

  /** The RGB of the pixel at (x, y). */
  private static int[] rgb(RasterImage img, int x, int y) {
    int i = 3 * (y * img.width() + x);
    byte[] p = img.pixels();
    return new int[] {p[i] & 0xff, p[i + 1] & 0xff, p[i + 2] & 0xff};
  }

  /** Checks the centre of each quadrant: red, green and blue top left, top right, bottom left. */
  private static void assertRedGreenBlueQuadrants(RasterImage img) {
    assertEquals(32, img.width());
    assertEquals(32, img.height());
    assertEquals(3, img.channels());
    int[] red = rgb(img, 8, 8);
    int[] green = rgb(img, 24, 8);
    int[] blue = rgb(img, 8, 24);
    assertTrue("red " + Arrays.toString(red), red[0] > 180 && red[1] < 90 && red[2] < 90);
    assertTrue("green " + Arrays.toString(green), green[1] > 120 && green[0] < 90 && green[2] < green[1] - 40);
    assertTrue("blue " + Arrays.toString(blue), blue[2] > 110 && blue[0] < blue[2] - 50 && blue[1] < blue[2] - 50);
  }

  private static void assertWhite(int[] p) {
    assertTrue("white " + Arrays.toString(p), p[0] > 225 && p[1] > 225 && p[2] > 225);
  }

  @Test
  public void decodesAdobeCmykJpegToItsColours() throws Exception {
    RasterImage img = decoder.decode(Fixtures.cmykBytes("adobe-cmyk.jpg"));
    assertRedGreenBlueQuadrants(img);
    assertWhite(rgb(img, 24, 24));
  }

  @Test
  public void decodesYcckJpegToItsColours() throws Exception {
    RasterImage img = decoder.decode(Fixtures.cmykBytes("adobe-ycck.jpg"));
    assertRedGreenBlueQuadrants(img);
    assertWhite(rgb(img, 24, 24));
  }

  @Test
  public void decodesBlackInkOfYcckJpegAsBlack() throws Exception {
    RasterImage img = decoder.decode(Fixtures.cmykBytes("black-white.jpg"));
    assertRedGreenBlueQuadrants(img);
    int[] black = rgb(img, 24, 24);
    assertTrue("black " + Arrays.toString(black), black[0] < 70 && black[1] < 70 && black[2] < 70);
  }

  @Test
  public void convertsCmykJpegThroughItsEmbeddedIccProfile() throws Exception {
    // The profile's magenta ink absorbs half the green: M+Y is orange and C+M azure through it,
    // pure red and blue without it.
    RasterImage img = decoder.decode(Fixtures.cmykBytes("icc-cmyk.jpg"));
    int[] orange = rgb(img, 8, 8);
    int[] azure = rgb(img, 8, 24);
    assertTrue("orange " + Arrays.toString(orange), orange[0] > 225 && orange[1] > 100 && orange[1] < 156 && orange[2] < 30);
    assertTrue("azure " + Arrays.toString(azure), azure[0] < 30 && azure[1] > 100 && azure[1] < 156 && azure[2] > 225);
    assertWhite(rgb(img, 24, 24));
  }

  @Test
  public void refusesTruncatedYcckJpeg() throws Exception {
    byte[] whole = Fixtures.cmykBytes("adobe-ycck.jpg");
    BadInputException e = assertThrows(
        BadInputException.class, () -> decoder.decode(Arrays.copyOf(whole, whole.length * 2 / 3)));
    assertEquals("corrupt", e.kind());
  }

  @Test
  public void ordinaryJpegHasTheSamePixelsAsTheJdkReaderGives() throws Exception {
    byte[] bytes = Fixtures.bytes("top/b.jpg");
    assertArrayEquals(ImageDecoder.toRaster(jdkRead(bytes)).pixels(), decoder.decode(bytes).pixels());
  }

  /** Reads with the JDK's own JPEG reader, whatever ImageIO's registry prefers. */
  private static BufferedImage jdkRead(byte[] bytes) throws Exception {
    var readers = ImageIO.getImageReadersByFormatName("jpeg");
    while (readers.hasNext()) {
      var reader = readers.next();
      if (reader.getClass().getName().startsWith("com.sun.")) {
        try (var in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
          reader.setInput(in);
          return reader.read(0);
        } finally {
          reader.dispose();
        }
      }
    }
    throw new AssertionError("no JDK JPEG reader");
  }

  @Test
  public void notesOnIgnoredMetadataAreNotCorruption() {
    assertTrue(ImageDecoder.isMetadataNote(
        "No embedded ICC color profile, defaulting to \"generic\" CMYK ICC profile. Colors may look incorrect."));
    assertTrue(ImageDecoder.isMetadataNote("ICC profile is Perceptual, ignoring, treating as Display class"));
    assertTrue(ImageDecoder.isMetadataNote("Bogus APP1/Exif segment, ignoring"));
    assertFalse(ImageDecoder.isMetadataNote("Truncated File - Missing EOI marker"));
    assertFalse(ImageDecoder.isMetadataNote("Premature end of JPEG file"));
  }
}
