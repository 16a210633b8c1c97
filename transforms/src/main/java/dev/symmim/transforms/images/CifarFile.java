package dev.symmim.transforms.images;

import dev.symmim.transforms.failures.BadInputException;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Streams records of a CIFAR binary batch: CIFAR-10 ({@code <1 label byte><3072 bytes>}) or
 * CIFAR-100 ({@code <coarse><fine><3072 bytes>}, the fine label is used). Pixels are stored as
 * 1024 red, 1024 green and 1024 blue bytes of a 32x32 image; they are returned interleaved.
 */
public final class CifarFile implements Closeable {
  public static final int SIDE = 32;
  private static final int PLANE = SIDE * SIDE;

  /** The two layouts. */
  public enum Variant {
    CIFAR10(1),
    CIFAR100(2);

    final int labelBytes;

    Variant(int labelBytes) {
      this.labelBytes = labelBytes;
    }

    public int recordBytes() {
      return labelBytes + 3 * PLANE;
    }

    /**
     * The layout of a file: by name ({@code data_batch_N.bin}, {@code test_batch.bin} are CIFAR-10;
     * {@code train.bin}, {@code test.bin} CIFAR-100), else by which record size divides the size.
     */
    public static Variant detect(String fileName, long sizeBytes) throws BadInputException {
      if (fileName.startsWith("data_batch") || fileName.startsWith("test_batch")) {
        return CIFAR10;
      }
      if (fileName.equals("train.bin") || fileName.equals("test.bin")) {
        return CIFAR100;
      }
      if (sizeBytes > 0 && sizeBytes % CIFAR10.recordBytes() == 0) {
        return CIFAR10;
      }
      if (sizeBytes > 0 && sizeBytes % CIFAR100.recordBytes() == 0) {
        return CIFAR100;
      }
      throw new BadInputException(
          "unsupported",
          "size " + sizeBytes + " bytes is a multiple of neither the CIFAR-10 ("
              + CIFAR10.recordBytes() + ") nor the CIFAR-100 (" + CIFAR100.recordBytes() + ") record size");
    }
  }

  /** One image and its label. */
  public record Record(int index, int label, RasterImage image) {}

  private final DataInputStream in;
  private final Variant variant;
  private final byte[] buffer;
  private int next;
  private boolean done;

  public CifarFile(InputStream in, Variant variant) {
    this.in = new DataInputStream(new BufferedInputStream(in, 1 << 16));
    this.variant = variant;
    this.buffer = new byte[variant.recordBytes()];
  }

  /** The next record, or null at a clean end of file. */
  public Record next() throws BadInputException, IOException {
    if (done) {
      return null;
    }
    int first = in.read();
    if (first < 0) {
      done = true;
      return null;
    }
    buffer[0] = (byte) first;
    try {
      in.readFully(buffer, 1, buffer.length - 1);
    } catch (EOFException e) {
      done = true;
      throw new BadInputException(
          "truncated", "file ends inside record " + next + " (a partial record of fewer than " + buffer.length + " bytes)", e);
    }
    int label = buffer[variant.labelBytes - 1] & 0xff;
    byte[] pixels = new byte[3 * PLANE];
    int off = variant.labelBytes;
    for (int i = 0; i < PLANE; i++) {
      pixels[3 * i] = buffer[off + i];
      pixels[3 * i + 1] = buffer[off + PLANE + i];
      pixels[3 * i + 2] = buffer[off + 2 * PLANE + i];
    }
    return new Record(next++, label, new RasterImage(SIDE, SIDE, 3, pixels));
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
