package dev.symmim.transforms.images;

import dev.symmim.transforms.io.Sha256;
import static com.google.common.base.Preconditions.checkArgument;

import dev.symmim.schemas.Example;
import dev.symmim.schemas.PixelEncoding;
import dev.symmim.transforms.failures.BadInputException;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import javax.imageio.ImageIO;

/**
 * Turns a decoded image into a prepared {@link Example}: converts to the requested channels,
 * resizes the shorter side and center-crops to {@code imageSize}, hashes the raw pixels (the
 * deduplication key) and stores them raw or as PNG. Immutable and serializable; not thread-safe
 * because of the reused digest, so make one per DoFn instance.
 */
public final class ImagePreprocessor implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int imageSize;
  private final int channels;
  private final PixelStorage storage;
  private transient ImageResizer resizer;
  private transient MessageDigest sha256;

  public ImagePreprocessor(int imageSize, int channels, PixelStorage storage) {
    checkArgument(imageSize > 0, "imageSize must be > 0, got %s", imageSize);
    checkArgument(channels == 1 || channels == 3, "channels must be 1 or 3, got %s", channels);
    this.imageSize = imageSize;
    this.channels = channels;
    this.storage = storage;
  }

  /** A fresh instance with the same settings (each has its own digest and buffers). */
  public ImagePreprocessor copy() {
    return new ImagePreprocessor(imageSize, channels, storage);
  }

  public int imageSize() {
    return imageSize;
  }

  public int channels() {
    return channels;
  }

  public PixelStorage storage() {
    return storage;
  }

  /**
   * The prepared example; {@code split} is the source's own split or the empty string when the
   * split is assigned later; {@code label} holds the source's own class index ({@code labelHint},
   * -1 for none) until labels are assigned from the class list.
   */
  public Example toExample(
      String id, String source, String labelName, int labelHint, String sourceSplit, RasterImage decoded) {
    if (resizer == null) {
      resizer = new ImageResizer(imageSize);
    }
    // Resize first: converting channels after shrinking touches far fewer pixels.
    RasterImage prepared = resizer.resizeAndCrop(decoded).withChannels(channels);
    byte[] raw = prepared.pixels();
    return Example.newBuilder()
        .setId(id)
        .setSource(source)
        .setSplit(sourceSplit == null ? "" : sourceSplit)
        .setLabel(labelName == null ? -1 : labelHint)
        .setLabelName(labelName)
        .setHeight(prepared.height())
        .setWidth(prepared.width())
        .setChannels(prepared.channels())
        .setEncoding(storage.encoding())
        .setPixels(ByteBuffer.wrap(storage == PixelStorage.png ? encodePng(prepared) : raw))
        .setContentHash(sha256Hex(raw))
        .build();
  }

  /** SHA-256 of {@code bytes} as lowercase hex. */
  public String sha256Hex(byte[] bytes) {
    if (sha256 == null) {
      sha256 = Sha256.newDigest();
    }
    return Sha256.hex(sha256.digest(bytes));
  }

  /** The raw pixels of a prepared example, decoding PNG storage. */
  public static RasterImage rawPixels(Example example) throws BadInputException {
    byte[] bytes = bytesOf(example.getPixels());
    if (example.getEncoding() == PixelEncoding.RAW) {
      return new RasterImage(example.getHeight(), example.getWidth(), example.getChannels(), bytes);
    }
    RasterImage decoded = new ImageDecoder(Long.MAX_VALUE).decode(bytes);
    return decoded.withChannels(example.getChannels());
  }

  /** The bytes of an Avro bytes field, without disturbing the buffer's position. */
  public static byte[] bytesOf(ByteBuffer buffer) {
    ByteBuffer view = buffer.duplicate();
    byte[] out = new byte[view.remaining()];
    view.get(out);
    return out;
  }

  static byte[] encodePng(RasterImage image) {
    int type = image.channels() == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR;
    BufferedImage buffered = new BufferedImage(image.width(), image.height(), type);
    byte[] target = ((DataBufferByte) buffered.getRaster().getDataBuffer()).getData();
    byte[] src = image.pixels();
    if (image.channels() == 1) {
      System.arraycopy(src, 0, target, 0, src.length);
    } else {
      for (int i = 0; i < src.length; i += 3) {
        target[i] = src[i + 2];
        target[i + 1] = src[i + 1];
        target[i + 2] = src[i];
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(src.length / 2 + 64);
    try {
      if (!ImageIO.write(buffered, "png", out)) {
        throw new IllegalStateException("no PNG writer in this Java runtime");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("encoding PNG in memory", e);
    }
    return out.toByteArray();
  }
}
