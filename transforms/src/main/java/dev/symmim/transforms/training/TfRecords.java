package dev.symmim.transforms.training;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The TFRecord framing TensorBoard event files use: each record is its length (uint64, little
 * endian), the masked CRC32C of those 8 bytes (uint32 LE), the data, and the masked CRC32C of the
 * data (uint32 LE). The mask is TensorFlow's: {@code ((crc >>> 15) | (crc << 17)) + 0xa282ead8}.
 */
public final class TfRecords {
  private static final int MASK_DELTA = 0xa282ead8;

  private TfRecords() {}

  /** {@code data} framed as one record. */
  public static byte[] frame(byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(8 + 4 + data.length + 4).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(data.length);
    b.putInt(maskedCrc32c(b.array(), 0, 8));
    b.put(data);
    b.putInt(maskedCrc32c(data, 0, data.length));
    return b.array();
  }

  /** The masked CRC32C of {@code bytes[offset, offset + length)}. */
  public static int maskedCrc32c(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    int c = (int) crc.getValue();
    return ((c >>> 15) | (c << 17)) + MASK_DELTA;
  }
}
