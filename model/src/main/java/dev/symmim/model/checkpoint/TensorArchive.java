package dev.symmim.model.checkpoint;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A flat binary file of named fp32 tensors, bit-exact: magic {@code SYMMIMT1}, count, then per
 * tensor: UTF name, rank, dims, little-endian float bits. Written to a temp file and moved into
 * place, so a crash never leaves a half-written archive under the final name.
 */
public final class TensorArchive {
  private static final long MAGIC = 0x53594D4D494D5431L; // "SYMMIMT1"

  private TensorArchive() {}

  public static void write(Path file, List<NamedTensor> tensors) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (OutputStream os = Files.newOutputStream(tmp);
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os, 1 << 20))) {
      out.writeLong(MAGIC);
      out.writeInt(tensors.size());
      for (NamedTensor t : tensors) {
        out.writeUTF(t.name());
        out.writeInt(t.shape().length);
        for (long d : t.shape()) {
          out.writeLong(d);
        }
        ByteBuffer bytes = ByteBuffer.allocate(t.data().length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(t.data());
        out.write(bytes.array());
      }
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** All tensors by name, in file order. */
  public static Map<String, NamedTensor> read(Path file) throws IOException {
    try (InputStream is = Files.newInputStream(file);
        DataInputStream in = new DataInputStream(new BufferedInputStream(is, 1 << 20))) {
      if (in.readLong() != MAGIC) {
        throw new IOException(file + " is not a symmim tensor archive");
      }
      int count = in.readInt();
      Map<String, NamedTensor> tensors = new LinkedHashMap<>();
      for (int i = 0; i < count; i++) {
        String name = in.readUTF();
        long[] shape = new long[in.readInt()];
        long size = 1;
        for (int d = 0; d < shape.length; d++) {
          shape[d] = in.readLong();
          size *= shape[d];
        }
        byte[] raw = new byte[Math.toIntExact(size * 4)];
        in.readFully(raw);
        float[] data = new float[(int) size];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
        tensors.put(name, new NamedTensor(name, shape, data));
      }
      return tensors;
    }
  }
}
