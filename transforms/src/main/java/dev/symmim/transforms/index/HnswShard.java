package dev.symmim.transforms.index;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.document.Document;
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
   * so also the search width), as cosine similarities; stored fields are read only for the hits
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

  /** The stored fields of a hit of this shard. */
  Neighbor neighbor(Hit hit) throws IOException {
    Document d = leaves.get(hit.leaf()).storedFields().document(hit.doc());
    return new Neighbor(d.get(HnswShardWriter.ID), d.get(HnswShardWriter.SPLIT),
        d.getField(HnswShardWriter.LABEL).numericValue().intValue(), d.get(HnswShardWriter.LABEL_NAME), hit.score());
  }

  /** The stored unit vector of {@code id}, or null when this shard does not hold it. */
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
