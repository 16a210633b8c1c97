package dev.symmim.transforms.index;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.FSDirectory;

/**
 * Builds one shard's Lucene index in a local directory: one document per embedding with the id
 * (indexed, for lookups), split, label and label name (stored) and the unit vector in an HNSW
 * graph ({@code KnnFloatVectorField}, dot product = cosine). {@link #close()} merges to one
 * segment (one graph to search) and commits. Single-threaded; the graph is the same for the same
 * documents added in the same order (Lucene seeds its level assignment).
 */
public final class HnswShardWriter implements AutoCloseable {
  static final String ID = "id";
  static final String HIT = "hit";
  static final String VECTOR = "vector";

  private final int dim;
  private final FSDirectory directory;
  private final IndexWriter writer;
  private long added;

  public HnswShardWriter(Path localDir, int dim, int m, int efConstruction) throws IOException {
    checkArgument(dim > 0 && dim <= 1024, "dim must be in [1, 1024] (Lucene's limit), got %s", dim);
    checkArgument(m >= 2 && m <= 512, "m must be in [2, 512], got %s", m);
    checkArgument(efConstruction >= 1 && efConstruction <= 3200, "efConstruction must be in [1, 3200], got %s",
        efConstruction);
    this.dim = dim;
    this.directory = FSDirectory.open(localDir);
    IndexWriterConfig config = new IndexWriterConfig()
        .setOpenMode(IndexWriterConfig.OpenMode.CREATE)
        .setCodec(codec(m, efConstruction))
        // One flush for most shards: the graph is built once instead of per segment and merged.
        .setRAMBufferSizeMB(ramBufferMb())
        .setUseCompoundFile(false);
    this.writer = new IndexWriter(directory, config);
  }

  private static Codec codec(int m, int efConstruction) {
    KnnVectorsFormat format = new Lucene99HnswVectorsFormat(m, efConstruction);
    return new Lucene912Codec() {
      @Override
      public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
        return format;
      }
    };
  }

  private static double ramBufferMb() {
    long heapMb = Runtime.getRuntime().maxMemory() >> 20;
    return Math.max(64, Math.min(1024, heapMb / 8));
  }

  /** Adds one embedding; {@code unitVector} must be L2-normalized (see {@link CosineVectors}). */
  public void add(String id, String split, int label, String labelName, float[] unitVector) throws IOException {
    checkArgument(unitVector.length == dim, "vector of %s has length %s, expected %s", id, unitVector.length, dim);
    Document doc = new Document();
    // A doc value, not stored fields: a hit's fields are read without decompressing a stored-fields block.
    doc.add(new StringField(ID, id, Field.Store.NO));
    doc.add(new BinaryDocValuesField(HIT, HitFields.encode(id, split, label, labelName)));
    doc.add(new KnnFloatVectorField(VECTOR, unitVector, VectorSimilarityFunction.DOT_PRODUCT));
    writer.addDocument(doc);
    added++;
  }

  public long added() {
    return added;
  }

  @Override
  public void close() throws IOException {
    try {
      writer.forceMerge(1);
      writer.commit();
    } finally {
      writer.close();
      directory.close();
    }
  }
}
