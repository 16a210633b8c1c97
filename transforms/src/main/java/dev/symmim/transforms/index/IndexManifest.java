package dev.symmim.transforms.index;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.symmim.transforms.dataset.DatasetPaths;
import dev.symmim.transforms.dataset.JsonFiles;
import java.io.IOException;
import java.io.Serializable;
import java.util.List;

/**
 * {@code index.json} of an index directory written by {@code symmim index}, written last (a
 * directory without it is not an index):
 *
 * <pre>
 * index.json                     this record
 * shard-SSSSS/                   one Lucene index per shard (files listed here with their sizes)
 * failed/failed-00000-of-00001.avro   embeddings refused (wrong length, other model, zero or non-finite)
 * </pre>
 *
 * Counts reconcile: {@code inputs == records + failed}, and {@code records} is the sum over shards.
 *
 * @param format {@link #FORMAT}
 * @param metric always {@code cosine}: vectors are L2-normalized and compared by dot product
 * @param modelId the model id of every indexed embedding (see {@link ModelIds})
 * @param dim vector length
 * @param m HNSW max connections per node
 * @param efConstruction HNSW beam width while building
 * @param luceneVersion the Lucene version that wrote the shards
 * @param embeddings the embeddings directory indexed
 * @param embeddingsManifestSha256 SHA-256 of its manifest.json bytes
 * @param shards every shard, in order; shard {@code i} holds the ids whose stable hash is {@code i mod shards}
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record IndexManifest(
    String format,
    String metric,
    String modelId,
    int dim,
    int m,
    int efConstruction,
    String luceneVersion,
    String embeddings,
    String embeddingsManifestSha256,
    long inputs,
    long records,
    long failed,
    List<Shard> shards) implements Serializable {

  public static final String FILE_NAME = "index.json";
  public static final String FORMAT = "symmim-hnsw-1";
  public static final String METRIC = "cosine";

  /** One shard: its directory (relative to the index) and every file in it with its size. */
  public record Shard(int shard, String path, long records, List<ShardFile> files) implements Serializable {}

  /** A file of a shard's Lucene index. */
  public record ShardFile(String name, long bytes) implements Serializable {}

  /** The directory name of shard {@code i}. */
  public static String shardPath(int shard) {
    return String.format("shard-%05d", shard);
  }

  /** Whether every input is accounted for and the shards add up. */
  public boolean reconciles() {
    return inputs == records + failed && records == shards.stream().mapToLong(Shard::records).sum();
  }

  /** Writes {@code index.json} into {@code dir}, via a temporary file and a rename. */
  public void writeTo(String dir) throws IOException {
    JsonFiles.write(dir, FILE_NAME, this);
  }

  /** Reads {@code <dir>/index.json}; a missing, malformed or foreign file is reported with its path. */
  public static IndexManifest readFrom(String dir) throws IOException {
    IndexManifest m = JsonFiles.read(dir, FILE_NAME, IndexManifest.class, "index manifest",
        "is this a 'symmim index' output directory (index.json is written last; a build may not have finished)?");
    String target = DatasetPaths.resolve(dir, FILE_NAME).toString();
    if (!FORMAT.equals(m.format()) || !METRIC.equals(m.metric())) {
      throw new IOException(target + " has format " + m.format() + " / metric " + m.metric() + ", expected "
          + FORMAT + " / " + METRIC);
    }
    if (m.shards() == null || m.shards().isEmpty() || m.dim() <= 0 || !m.reconciles()) {
      throw new IOException(target + " is inconsistent: " + (m.shards() == null ? 0 : m.shards().size())
          + " shards, dim " + m.dim() + ", inputs " + m.inputs() + " != records " + m.records() + " + failed "
          + m.failed() + " or shard records do not add up");
    }
    for (int i = 0; i < m.shards().size(); i++) {
      if (m.shards().get(i).shard() != i) {
        throw new IOException(target + " lists shard " + m.shards().get(i).shard() + " at position " + i);
      }
    }
    return m;
  }
}
