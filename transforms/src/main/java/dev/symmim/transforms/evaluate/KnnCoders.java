package dev.symmim.transforms.evaluate;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.CustomCoder;

/**
 * Compact binary coders for the k-NN shuffle (Java serialization of millions of small records
 * dominated the job): floats, ints and UTF strings written in sequence.
 */
final class KnnCoders {
  private KnnCoders() {}

  /** {@link QueryNeighbors}: label, count, then (similarity, label, id) per neighbour. */
  static final class QueryNeighborsCoder extends CustomCoder<QueryNeighbors> {
    static final QueryNeighborsCoder INSTANCE = new QueryNeighborsCoder();

    @Override
    public void encode(QueryNeighbors value, OutputStream out) throws IOException {
      DataOutputStream d = new DataOutputStream(out);
      d.writeInt(value.label());
      d.writeInt(value.neighbors().size());
      for (Neighbor n : value.neighbors()) {
        d.writeFloat(n.similarity());
        d.writeInt(n.label());
        d.writeUTF(n.id());
      }
      d.flush();
    }

    @Override
    public QueryNeighbors decode(InputStream in) throws IOException {
      DataInputStream d = new DataInputStream(in);
      int label = d.readInt();
      int size = d.readInt();
      List<Neighbor> list = new ArrayList<>(size);
      for (int i = 0; i < size; i++) {
        float s = d.readFloat();
        int l = d.readInt();
        list.add(new Neighbor(s, d.readUTF(), l));
      }
      return new QueryNeighbors(label, list);
    }

    @Override
    public void verifyDeterministic() {}
  }

  /** {@link VectorBlock}: role, index, rows, dim, then per row id, label and vector. */
  static final class VectorBlockCoder extends CustomCoder<VectorBlock> {
    static final VectorBlockCoder INSTANCE = new VectorBlockCoder();

    @Override
    public void encode(VectorBlock b, OutputStream out) throws IOException {
      DataOutputStream d = new DataOutputStream(out);
      d.writeBoolean(b.bank());
      d.writeInt(b.block());
      d.writeInt(b.rows());
      d.writeInt(b.dim());
      for (int r = 0; r < b.rows(); r++) {
        d.writeUTF(b.ids().get(r));
        d.writeInt(b.labels()[r]);
      }
      for (float x : b.data()) {
        d.writeFloat(x);
      }
      d.flush();
    }

    @Override
    public VectorBlock decode(InputStream in) throws IOException {
      DataInputStream d = new DataInputStream(in);
      boolean bank = d.readBoolean();
      int block = d.readInt();
      int rows = d.readInt();
      int dim = d.readInt();
      List<String> ids = new ArrayList<>(rows);
      int[] labels = new int[rows];
      for (int r = 0; r < rows; r++) {
        ids.add(d.readUTF());
        labels[r] = d.readInt();
      }
      float[] data = new float[rows * dim];
      for (int i = 0; i < data.length; i++) {
        data[i] = d.readFloat();
      }
      return new VectorBlock(bank, block, ids, labels, data, dim);
    }
  }
}
