package dev.symmim.transforms.images;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;

import dev.symmim.transforms.failures.BadInputException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.Test;

public class IdxAndCifarFileTest {
  static byte[] idxImages(int n, int rows, int cols) {
    ByteBuffer b = ByteBuffer.allocate(16 + n * rows * cols).putInt(0x803).putInt(n).putInt(rows).putInt(cols);
    for (int i = 0; i < n * rows * cols; i++) {
      b.put((byte) (i / (rows * cols) * 10 + i % 7));
    }
    return b.array();
  }

  static byte[] idxLabels(int... labels) {
    ByteBuffer b = ByteBuffer.allocate(8 + labels.length).putInt(0x801).putInt(labels.length);
    for (int l : labels) {
      b.put((byte) l);
    }
    return b.array();
  }

  static byte[] gzip(byte[] raw) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(raw);
    }
    return out.toByteArray();
  }

  @Test
  public void readsGzippedImagesWithLabels() throws Exception {
    try (IdxFile idx = IdxFile.open(new ByteArrayInputStream(gzip(idxImages(3, 2, 2))),
        new ByteArrayInputStream(idxLabels(4, 5, 6)), 1000)) {
      assertEquals(3, idx.count());
      IdxFile.Record r0 = idx.next();
      assertEquals(4, r0.label());
      assertArrayEquals(new byte[] {0, 1, 2, 3}, r0.image().pixels());
      idx.next();
      IdxFile.Record r2 = idx.next();
      assertEquals(2, r2.index());
      assertEquals(6, r2.label());
      assertFalse(idx.hasNext());
    }
  }

  @Test
  public void truncatedImageFileFailsAtTheMissingRecord() throws Exception {
    byte[] full = idxImages(3, 2, 2);
    try (IdxFile idx = IdxFile.open(new ByteArrayInputStream(Arrays.copyOf(full, full.length - 2)), null, 1000)) {
      idx.next();
      idx.next();
      BadInputException e = assertThrows(BadInputException.class, idx::next);
      assertEquals("truncated", e.kind());
    }
  }

  @Test
  public void labelCountMismatchIsRefused() {
    BadInputException e = assertThrows(BadInputException.class, () -> IdxFile.open(
        new ByteArrayInputStream(idxImages(3, 2, 2)), new ByteArrayInputStream(idxLabels(1, 2)), 1000));
    assertEquals("mismatch", e.kind());
  }

  @Test
  public void wrongMagicIsRefused() {
    byte[] bytes = idxImages(1, 2, 2);
    bytes[3] = 0x01;
    assertEquals("bad-header", assertThrows(BadInputException.class,
        () -> IdxFile.open(new ByteArrayInputStream(bytes), null, 1000)).kind());
  }

  @Test
  public void hugeDeclaredImagesAreRefusedBeforeReading() {
    ByteBuffer b = ByteBuffer.allocate(16).putInt(0x803).putInt(1).putInt(100000).putInt(100000);
    assertEquals("too-large", assertThrows(BadInputException.class,
        () -> IdxFile.open(new ByteArrayInputStream(b.array()), null, 1 << 20)).kind());
  }

  static byte[] cifar10(int records) {
    byte[] out = new byte[records * 3073];
    for (int r = 0; r < records; r++) {
      out[r * 3073] = (byte) r;
      Arrays.fill(out, r * 3073 + 1, r * 3073 + 1 + 1024, (byte) 10); // red plane
      Arrays.fill(out, r * 3073 + 1 + 1024, r * 3073 + 1 + 2048, (byte) 20); // green plane
      Arrays.fill(out, r * 3073 + 1 + 2048, r * 3073 + 3073, (byte) 30); // blue plane
    }
    return out;
  }

  @Test
  public void cifarPlanesBecomeInterleavedRgb() throws Exception {
    try (CifarFile f = new CifarFile(new ByteArrayInputStream(cifar10(2)), CifarFile.Variant.CIFAR10)) {
      CifarFile.Record r = f.next();
      assertEquals(0, r.label());
      assertArrayEquals(new byte[] {10, 20, 30, 10, 20, 30}, Arrays.copyOf(r.image().pixels(), 6));
      assertEquals(1, f.next().label());
      assertNull(f.next());
    }
  }

  @Test
  public void partialCifarRecordIsTruncation() throws Exception {
    byte[] bytes = Arrays.copyOf(cifar10(2), 3073 + 100);
    try (CifarFile f = new CifarFile(new ByteArrayInputStream(bytes), CifarFile.Variant.CIFAR10)) {
      f.next();
      assertEquals("truncated", assertThrows(BadInputException.class, f::next).kind());
    }
  }

  @Test
  public void cifarVariantFromNameOrSize() throws Exception {
    assertEquals(CifarFile.Variant.CIFAR10, CifarFile.Variant.detect("data_batch_1.bin", 1));
    assertEquals(CifarFile.Variant.CIFAR100, CifarFile.Variant.detect("train.bin", 1));
    assertEquals(CifarFile.Variant.CIFAR100, CifarFile.Variant.detect("x.bin", 3074 * 3));
    assertEquals("unsupported", assertThrows(BadInputException.class,
        () -> CifarFile.Variant.detect("x.bin", 1000)).kind());
  }
}
