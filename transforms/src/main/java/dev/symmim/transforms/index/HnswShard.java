package dev.symmim.transforms.index;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.MMapDirectory;

/**
 * One shard's Lucene index opened read-only for search. Thread-safe for searches (Lucene readers
 * are); {@link #close()} when done.
 */
final class HnswShard implements AutoCloseable {
  private final Directory directory;
  private final DirectoryReader reader;
  private final List<LeafReader> leaves = new ArrayList<>();

  HnswShard(Path localDir) throws IOException {
    this.directory = new MMapDirectory(localDir);
    try {
      this.reader = DirectoryReader.open(directory);
    } catch (IOException | RuntimeException e) {
      directory.close();
      throw e;
    }
    for (LeafReaderContext c : reader.leaves()) {
      leaves.add(c.reader());
    }
  }

  int numDocs() {
    return reader.numDocs();
  }

  /** The vector dimension of the shard's field, or 0 when the shard is empty. */
  int dim() {
    for (LeafReader leaf : leaves) {
      var info = leaf.getFieldInfos().fieldInfo(HnswShardWriter.VECTOR);
      if (info != null) {
        return info.getVectorDimension();
      }
    }
    return 0;
  }

  /** A search hit inside this shard: leaf (segment) number, document and cosine similarity. */
  record Hit(HnswShard shard, int leaf, int doc, float score) {}

  /**
   * The {@code width} nearest documents of the HNSW search (Lucene's k: the candidate list size,
   * so also the search width), as cosine similarities; the other fields are read only for the hits
   * that survive the merge ({@link #neighbor(Hit)}).
   */
  List<Hit> search(float[] unitQuery, int width) throws IOException {
    List<Hit> out = new ArrayList<>(width);
    for (int l = 0; l < leaves.size(); l++) {
      LeafReader leaf = leaves.get(l);
      if (leaf.getFieldInfos().fieldInfo(HnswShardWriter.VECTOR) == null) {
        continue;
      }
      TopDocs top = leaf.searchNearestVectors(HnswShardWriter.VECTOR, unitQuery, width, leaf.getLiveDocs(),
          Integer.MAX_VALUE);
      for (ScoreDoc sd : top.scoreDocs) {
        // Lucene scores a dot product d as (1 + d) / 2.
        out.add(new Hit(this, l, sd.doc, 2 * sd.score - 1));
      }
    }
    return out;
  }

  /**
   * The id, split, label and label name of each of {@code hits} (all of this shard), in the same
   * order; the doc value is read in document order, one iterator per segment.
   */
  List<Neighbor> neighbors(List<Hit> hits) throws IOException {
    Integer[] order = new Integer[hits.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, java.util.Comparator.comparingInt((Integer i) -> hits.get(i).leaf())
        .thenComparingInt(i -> hits.get(i).doc()));
    Neighbor[] out = new Neighbor[hits.size()];
    int leafOrd = -1;
    BinaryDocValues fields = null;
    for (int i : order) {
      Hit hit = hits.get(i);
      if (hit.shard() != this) {
        throw new IllegalArgumentException("hit of another shard");
      }
      if (hit.leaf() != leafOrd) {
        leafOrd = hit.leaf();
        fields = leaves.get(leafOrd).getBinaryDocValues(HnswShardWriter.HIT);
      }
      if (fields == null || !fields.advanceExact(hit.doc())) {
        throw new IOException("shard document " + hit.doc() + " has no '" + HnswShardWriter.HIT
            + "' doc value: not a symmim index shard");
      }
      out[i] = HitFields.decode(fields.binaryValue(), hit.score());
    }
    return java.util.Arrays.asList(out);
  }

  /** The indexed unit vector of {@code id}, or null when this shard does not hold it. */
  float[] vectorOf(String id) throws IOException {
    Term term = new Term(HnswShardWriter.ID, id);
    for (LeafReader leaf : leaves) {
      var postings = leaf.postings(term);
      if (postings == null) {
        continue;
      }
      int doc = postings.nextDoc();
      if (doc == DocIdSetIterator.NO_MORE_DOCS) {
        continue;
      }
      FloatVectorValues values = leaf.getFloatVectorValues(HnswShardWriter.VECTOR);
      if (values != null && values.advance(doc) == doc) {
        return values.vectorValue().clone();
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    try {
      reader.close();
    } finally {
      directory.close();
    }
  }
}
