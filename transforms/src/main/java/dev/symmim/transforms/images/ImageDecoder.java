package dev.symmim.transforms.images;

import com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi;
import dev.symmim.transforms.failures.BadInputException;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes encoded image files (JPEG, PNG, BMP, GIF, and whatever else ImageIO reads) into {@link
 * RasterImage}s. Dimensions are read from the header and checked against a pixel limit before any
 * pixel memory is allocated, so a decompression bomb is refused cheaply. Decoder warnings (for
 * example a JPEG that ends early and would be filled with grey) count as errors, except the notes
 * on ignored metadata described at {@code isMetadataNote}.
 *
 * <p>JPEGs are read with the TwelveMonkeys reader, which converts CMYK, YCCK and Adobe (APP14)
 * JPEGs to RGB in one pass through their embedded ICC profile (or a generic CMYK conversion when
 * they have none), several times faster than the JDK reader's pixel-by-pixel {@code getRGB} path,
 * and decodes other JPEGs to the same pixels as the JDK's reader, to which it delegates. It is
 * chosen explicitly rather than by ImageIO's plugin order; see {@code twelveMonkeysJpeg()}.
 */
public final class ImageDecoder {
  private static final ImageReaderSpi JPEG = twelveMonkeysJpeg();
  private static final Pattern METADATA_NOTE =
      Pattern.compile("ICC|color profile|Adobe App14|^Bogus APP\\d+/|^Exif chunk");

  private final long maxPixels;

  public ImageDecoder(long maxPixels) {
    if (maxPixels <= 0) {
      throw new IllegalArgumentException("maxPixels must be > 0, got " + maxPixels);
    }
    this.maxPixels = maxPixels;
  }

  /** Decodes {@code bytes}; the first frame of a multi-frame file. */
  public RasterImage decode(byte[] bytes) throws BadInputException {
    if (bytes.length == 0) {
      throw new BadInputException("empty", "zero-byte file");
    }
    // Memory-cached stream: ImageIO.createImageInputStream would cache through a temporary file.
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
      ImageReader reader = readerFor(in);
      if (reader == null) {
        throw new BadInputException(
            "unsupported", "not a recognised image format (first bytes " + hexPrefix(bytes) + ")");
      }
      try {
        reader.setInput(in, true, true);
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        long width = reader.getWidth(0);
        long height = reader.getHeight(0);
        if (width <= 0 || height <= 0) {
          throw new BadInputException("bad-dimensions", "declared size " + width + "x" + height);
        }
        if (width * height > maxPixels) {
          throw new BadInputException(
              "too-large",
              "declared size "
                  + width
                  + "x"
                  + height
                  + " = "
                  + width * height
                  + " pixels exceeds --maxPixels="
                  + maxPixels);
        }
        ImageReadParam param = reader.getDefaultReadParam();
        BufferedImage image = reader.read(0, param);
        warnings.removeIf(ImageDecoder::isMetadataNote);
        if (!warnings.isEmpty()) {
          throw new BadInputException("corrupt", String.join("; ", warnings));
        }
        return toRaster(image);
      } finally {
        reader.dispose();
      }
    } catch (BadInputException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      // Decoding reads from memory, so every exception here is about the bytes: ImageIO reports
      // corrupt and truncated data as IIOException/EOFException, and some plugins as
      // IndexOutOfBounds or IllegalArgument exceptions from deep inside the decoder.
      throw new BadInputException("corrupt", e.getClass().getSimpleName() + ": " + detail(e), e);
    }
  }

  /** The decoder's message, or what its exception means when it has none (the BMP reader's EOFs). */
  private static String detail(Exception e) {
    if (e.getMessage() != null && !e.getMessage().isBlank()) {
      return e.getMessage();
    }
    return e instanceof java.io.EOFException ? "the file ends before the image does" : "no detail from the decoder";
  }

  /** The TwelveMonkeys reader for a JPEG, else the first ImageIO reader; null if none reads it. */
  private static ImageReader readerFor(ImageInputStream in) throws IOException {
    if (JPEG.canDecodeInput(in)) {
      return JPEG.createReaderInstance();
    }
    Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
    return readers.hasNext() ? readers.next() : null;
  }

  /**
   * Whether a reader warning is a note on metadata the reader ignored or replaced rather than on the
   * pixel data: the TwelveMonkeys JPEG reader warns when a CMYK or YCCK JPEG has no ICC profile (it
   * converts with a generic CMYK profile, or a plain formula where none is installed, as viewers
   * do), when it ignores or reinterprets an ICC profile, Adobe marker, Exif or other APP segment.
   * The image data is complete in these cases.
   */
  static boolean isMetadataNote(String warning) {
    return METADATA_NOTE.matcher(warning).find();
  }

  /**
   * TwelveMonkeys' JPEG reader provider as registered with ImageIO, registering it first if ImageIO's
   * plugin scan did not find it: the scan reads the class path of the thread's context class loader
   * when ImageIO is first used, which under a runner that loads the job in a class loader of its
   * own (Flink, Spark) need not be the job's. Registration hands it the JDK's JPEG reader, to which
   * it delegates the entropy decoding.
   */
  private static ImageReaderSpi twelveMonkeysJpeg() {
    IIORegistry registry = IIORegistry.getDefaultInstance();
    ImageReaderSpi spi = registry.getServiceProviderByClass(JPEGImageReaderSpi.class);
    if (spi == null) {
      registry.registerServiceProvider(new JPEGImageReaderSpi(), ImageReaderSpi.class);
      spi = registry.getServiceProviderByClass(JPEGImageReaderSpi.class);
    }
    if (spi == null) {
      // It deregisters itself when the JDK's JPEG reader, its delegate, is not registered.
      throw new IllegalStateException(
          "TwelveMonkeys' JPEG reader did not register with ImageIO: the JDK's JPEG reader is missing");
    }
    return spi;
  }

  /** Converts a decoded image to interleaved grey or RGB bytes, dropping alpha (as PIL does). */
  static RasterImage toRaster(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    switch (image.getType()) {
      case BufferedImage.TYPE_BYTE_GRAY:
        if (image.getRaster().getDataBuffer() instanceof DataBufferByte buffer
            && buffer.getData().length == w * h
            && image.getRaster().getSampleModelTranslateX() == 0) {
          return new RasterImage(h, w, 1, buffer.getData().clone());
        }
        break;
      case BufferedImage.TYPE_3BYTE_BGR:
        if (image.getRaster().getDataBuffer() instanceof DataBufferByte buffer
            && buffer.getData().length == w * h * 3
            && image.getRaster().getSampleModelTranslateX() == 0) {
          byte[] bgr = buffer.getData();
          byte[] rgb = new byte[bgr.length];
          for (int i = 0; i < bgr.length; i += 3) {
            rgb[i] = bgr[i + 2];
            rgb[i + 1] = bgr[i + 1];
            rgb[i + 2] = bgr[i];
          }
          return new RasterImage(h, w, 3, rgb);
        }
        break;
      default:
        break;
    }
    ColorModel colorModel = image.getColorModel();
    if (!(colorModel instanceof IndexColorModel) && colorModel.getNumColorComponents() == 1) {
      // Read grey samples directly: getRGB would apply a linear-to-sRGB curve to 16-bit grey.
      int max = (1 << colorModel.getComponentSize(0)) - 1;
      int[] samples = image.getRaster().getSamples(0, 0, w, h, 0, (int[]) null);
      byte[] out = new byte[w * h];
      for (int i = 0; i < samples.length; i++) {
        out[i] = (byte) ((samples[i] * 255L + max / 2) / max);
      }
      return new RasterImage(h, w, 1, out);
    }
    int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
    byte[] out = new byte[w * h * 3];
    for (int i = 0; i < argb.length; i++) {
      int p = argb[i];
      out[3 * i] = (byte) (p >> 16);
      out[3 * i + 1] = (byte) (p >> 8);
      out[3 * i + 2] = (byte) p;
    }
    return new RasterImage(h, w, 3, out);
  }

  private static String hexPrefix(byte[] bytes) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(8, bytes.length); i++) {
      sb.append(String.format("%02x", bytes[i] & 0xff));
    }
    return sb.toString();
  }
}
