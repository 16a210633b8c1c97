package dev.symmim.transforms.images;

import dev.symmim.transforms.failures.BadInputException;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Streams the images of an IDX image file (MNIST, Fashion-MNIST: magic 0x00000803, uint8,
 * count x rows x cols) and, when given, its IDX label file (magic 0x00000801). Either may be
 * gzipped; that is detected from the bytes, not the name. Headers are validated when opened;
 * a file that ends early raises a {@code truncated} {@link BadInputException} at the record where
 * the data runs out.
 */
public final class IdxFile implements Closeable {
  private static final int IMAGES_MAGIC = 0x00000803;
  private static final int LABELS_MAGIC = 0x00000801;

  private final DataInputStream images;
  @Nullable private final DataInputStream labels;
  private final int count;
  private final int rows;
  private final int cols;
  private int next;

  private IdxFile(DataInputStream images, @Nullable DataInputStream labels, int count, int rows, int cols) {
    this.images = images;
    this.labels = labels;
    this.count = count;
    this.rows = rows;
    this.cols = cols;
  }

  /** One image and its label (-1 without a label file). */
  public record Record(int index, int label, RasterImage image) {}

  /**
   * Opens an image stream and an optional label stream, validating both headers. The streams are
   * closed by {@link #close()}, or here when the headers are bad.
   */
  public static IdxFile open(InputStream imageBytes, @Nullable InputStream labelBytes, long maxPixels)
      throws BadInputException, IOException {
    DataInputStream images;
    try {
      images = new DataInputStream(gunzipIfNeeded(imageBytes, "image file"));
    } catch (BadInputException | IOException e) {
      if (labelBytes != null) {
        labelBytes.close();
      }
      throw e;
    }
    DataInputStream labels;
    try {
      labels = labelBytes == null ? null : new DataInputStream(gunzipIfNeeded(labelBytes, "label file"));
    } catch (BadInputException | IOException e) {
      images.close();
      throw e;
    }
    try {
      int magic = readHeaderInt(images, "image file");
      if (magic != IMAGES_MAGIC) {
        throw new BadInputException(
            "bad-header",
            String.format("image file magic is 0x%08x, expected 0x%08x (uint8, 3 dimensions)", magic, IMAGES_MAGIC));
      }
      int count = readHeaderInt(images, "image file");
      int rows = readHeaderInt(images, "image file");
      int cols = readHeaderInt(images, "image file");
      if (count < 0 || rows <= 0 || cols <= 0) {
        throw new BadInputException("bad-header", "image file declares " + count + " images of " + rows + "x" + cols);
      }
      if ((long) rows * cols > maxPixels) {
        throw new BadInputException(
            "too-large", "images of " + rows + "x" + cols + " exceed --maxPixels=" + maxPixels);
      }
      if (labels != null) {
        int labelMagic = readHeaderInt(labels, "label file");
        if (labelMagic != LABELS_MAGIC) {
          throw new BadInputException(
              "bad-header",
              String.format("label file magic is 0x%08x, expected 0x%08x", labelMagic, LABELS_MAGIC));
        }
        int labelCount = readHeaderInt(labels, "label file");
        if (labelCount != count) {
          throw new BadInputException(
              "mismatch", "label file has " + labelCount + " labels for " + count + " images");
        }
      }
      return new IdxFile(images, labels, count, rows, cols);
    } catch (BadInputException | IOException | RuntimeException e) {
      images.close();
      if (labels != null) {
        labels.close();
      }
      throw e;
    }
  }

  public int count() {
    return count;
  }

  public int rows() {
    return rows;
  }

  public int cols() {
    return cols;
  }

  public boolean hasNext() {
    return next < count;
  }

  /** The next record. */
  public Record next() throws BadInputException, IOException {
    if (!hasNext()) {
      throw new IllegalStateException("all " + count + " records were read");
    }
    byte[] pixels = new byte[rows * cols];
    int label = -1;
    try {
      images.readFully(pixels);
      if (labels != null) {
        label = labels.readUnsignedByte();
      }
    } catch (EOFException e) {
      throw new BadInputException(
          "truncated",
          "file ends at record " + next + " of " + count + " declared; " + (count - next) + " records missing",
          e);
    } catch (ZipException e) {
      throw new BadInputException(
          "corrupt", "gzip data damaged at record " + next + " of " + count + ": " + e.getMessage(), e);
    }
    return new Record(next++, label, new RasterImage(rows, cols, 1, pixels));
  }

  @Override
  public void close() throws IOException {
    try {
      images.close();
    } finally {
      if (labels != null) {
        labels.close();
      }
    }
  }

  private static int readHeaderInt(DataInputStream in, String what) throws BadInputException, IOException {
    try {
      return in.readInt();
    } catch (EOFException e) {
      throw new BadInputException("truncated", what + " ends inside its header", e);
    } catch (ZipException e) {
      throw new BadInputException("corrupt", what + " has damaged gzip data in its header: " + e.getMessage(), e);
    }
  }

  /**
   * Wraps {@code in} in a gzip decoder when it starts with the gzip magic bytes. Damaged gzip data
   * is bad input: here (the gzip header) and in {@link #next} it becomes a {@code corrupt} refusal,
   * not an IOException that would fail the job.
   */
  static InputStream gunzipIfNeeded(InputStream in, String what) throws IOException, BadInputException {
    BufferedInputStream buffered = new BufferedInputStream(in, 1 << 16);
    buffered.mark(2);
    int b0 = buffered.read();
    int b1 = buffered.read();
    buffered.reset();
    if (b0 == 0x1f && b1 == 0x8b) {
      try {
        return new BufferedInputStream(new GZIPInputStream(buffered, 1 << 16), 1 << 16);
      } catch (EOFException e) {
        buffered.close();
        throw new BadInputException("truncated", what + " ends inside its gzip header", e);
      } catch (ZipException e) {
        buffered.close();
        throw new BadInputException("corrupt", what + " has a damaged gzip header: " + e.getMessage(), e);
      }
    }
    return buffered;
  }
}
