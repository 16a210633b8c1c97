package dev.symmim.transforms.index;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;

/** Compact coder of {@link BuildHnswIndex.IndexRow}: strings, label and the raw floats of the vector. */
final class IndexRowCoder extends CustomCoder<BuildHnswIndex.IndexRow> {
  private static final StringUtf8Coder STRING = StringUtf8Coder.of();
  private static final NullableCoder<String> NULLABLE = NullableCoder.of(StringUtf8Coder.of());
  private static final VarIntCoder INT = VarIntCoder.of();

  static IndexRowCoder of() {
    return new IndexRowCoder();
  }

  @Override
  public void encode(BuildHnswIndex.IndexRow row, OutputStream out) throws IOException {
    STRING.encode(row.id(), out);
    STRING.encode(row.split(), out);
    INT.encode(row.label(), out);
    NULLABLE.encode(row.labelName(), out);
    float[] v = row.unitVector();
    INT.encode(v.length, out);
    DataOutputStream data = new DataOutputStream(out);
    for (float x : v) {
      data.writeFloat(x);
    }
    data.flush();
  }

  @Override
  public BuildHnswIndex.IndexRow decode(InputStream in) throws IOException {
    String id = STRING.decode(in);
    String split = STRING.decode(in);
    int label = INT.decode(in);
    String labelName = NULLABLE.decode(in);
    float[] v = new float[INT.decode(in)];
    DataInputStream data = new DataInputStream(in);
    for (int i = 0; i < v.length; i++) {
      v[i] = data.readFloat();
    }
    return new BuildHnswIndex.IndexRow(id, split, label, labelName, v);
  }

  @Override
  public void verifyDeterministic() {}
}
