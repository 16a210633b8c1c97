package dev.symmim.transforms.index;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.lucene.store.ByteArrayDataInput;
import org.apache.lucene.store.ByteArrayDataOutput;
import org.apache.lucene.util.BytesRef;

/**
 * What a search returns of a document besides its score, packed into one binary doc value (one
 * iterator per segment and query instead of one per field): id, split, label (zig-zag vint) and
 * label name (absent for unlabeled records).
 */
final class HitFields {
  private HitFields() {}

  static BytesRef encode(String id, String split, int label, String labelName) {
    byte[] a = id.getBytes(StandardCharsets.UTF_8);
    byte[] b = split.getBytes(StandardCharsets.UTF_8);
    byte[] c = labelName == null ? new byte[0] : labelName.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[a.length + b.length + c.length + 4 * 5 + 1];
    ByteArrayDataOutput data = new ByteArrayDataOutput(out);
    try {
      writeBytes(data, a);
      writeBytes(data, b);
      data.writeZInt(label);
      data.writeByte((byte) (labelName == null ? 0 : 1));
      writeBytes(data, c);
    } catch (IOException e) {
      throw new IllegalStateException("in-memory write cannot fail", e);
    }
    return new BytesRef(out, 0, data.getPosition());
  }

  static Neighbor decode(BytesRef bytes, float score) throws IOException {
    ByteArrayDataInput in = new ByteArrayDataInput(bytes.bytes, bytes.offset, bytes.length);
    String id = readString(in, bytes.bytes);
    String split = readString(in, bytes.bytes);
    int label = in.readZInt();
    boolean labelled = in.readByte() == 1;
    String labelName = readString(in, bytes.bytes);
    return new Neighbor(id, split, label, labelled ? labelName : null, score);
  }

  private static void writeBytes(ByteArrayDataOutput data, byte[] b) throws IOException {
    data.writeVInt(b.length);
    data.writeBytes(b, b.length);
  }

  private static String readString(ByteArrayDataInput in, byte[] backing) throws IOException {
    int n = in.readVInt();
    String s = new String(backing, in.getPosition(), n, StandardCharsets.UTF_8);
    in.skipBytes(n);
    return s;
  }
}
