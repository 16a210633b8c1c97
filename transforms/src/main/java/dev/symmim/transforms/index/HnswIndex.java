package dev.symmim.transforms.index;

import dev.symmim.transforms.io.Locations;
import static com.google.common.base.Preconditions.checkArgument;

import dev.symmim.transforms.dataset.DatasetPaths;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.io.fs.ResourceId;

/**
 * An index directory written by {@link BuildHnswIndex}, opened read-only: every shard listed in
 * {@code index.json} (copied to a local temporary directory first when the index is not on a
 * local path), checked against the manifest. A search fans out to all shards and merges by cosine
 * similarity. Thread-safe for searches; {@link #close()} when done.
 */
public final class HnswIndex implements AutoCloseable {
  private final String dir;
  private final IndexManifest manifest;
  private final List<HnswShard> shards = new ArrayList<>();
  private final Path downloaded;

  private HnswIndex(String dir, IndexManifest manifest, Path downloaded) {
    this.dir = dir;
    this.manifest = manifest;
    this.downloaded = downloaded;
  }

  /** Opens {@code dir} (local or any Beam filesystem); a missing or damaged shard fails with its path. */
  public static HnswIndex open(String dir) throws IOException {
    IndexManifest manifest = IndexManifest.readFrom(dir);
    Path local = localPath(dir);
    Path downloaded = local == null ? Files.createTempDirectory("symmim-index-") : null;
    HnswIndex index = new HnswIndex(dir, manifest, downloaded);
    try {
      for (IndexManifest.Shard s : manifest.shards()) {
        Path shardDir;
        if (local != null) {
          shardDir = local.resolve(s.path());
          ShardFiles.check(dir, s, shardDir);
        } else {
          shardDir = downloaded.resolve(s.path());
          ShardFiles.download(dir, s, shardDir);
        }
        HnswShard shard = new HnswShard(shardDir);
        index.shards.add(shard);
        if (shard.numDocs() != s.records()) {
          throw new IOException("index " + dir + ": " + s.path() + " holds " + shard.numDocs()
              + " documents, index.json lists " + s.records() + ": the shard is damaged");
        }
        int dim = shard.dim();
        if (dim != 0 && dim != manifest.dim()) {
          throw new IOException("index " + dir + ": " + s.path() + " holds " + dim + "-d vectors, index.json says "
              + manifest.dim());
        }
      }
    } catch (IOException | RuntimeException e) {
      index.close();
      throw e;
    }
    return index;
  }

  /** The local directory of {@code dir}, or null when it is on another filesystem. */
  private static Path localPath(String dir) {
    ResourceId id = DatasetPaths.resolve(dir, IndexManifest.FILE_NAME).getCurrentDirectory();
    if (!"file".equals(id.getScheme())) {
      return null;
    }
    String s = id.toString();
    return s.startsWith("file:") ? Path.of(URI.create(s)) : Path.of(s);
  }

  public IndexManifest manifest() {
    return manifest;
  }

  /**
   * The {@code k} nearest embeddings to {@code query} (any length-{@code dim} vector with a
   * direction), best first, ties by id. Each shard's HNSW search keeps {@code width} candidates
   * ({@code width >= k}; larger finds more of the true neighbours, more slowly).
   */
  public List<Neighbor> search(float[] query, int k, int width) throws IOException {
    return search(query, k, width, null);
  }

  /**
   * The {@code k} nearest embeddings to the indexed embedding {@code id}, which itself is left out.
   *
   * @throws IllegalArgumentException when no shard holds {@code id}
   */
  public List<Neighbor> searchById(String id, int k, int width) throws IOException {
    float[] v = null;
    for (HnswShard s : shards) {
      v = s.vectorOf(id);
      if (v != null) {
        break;
      }
    }
    checkArgument(v != null, "no embedding with id '%s' in index %s", id, dir);
    return search(v, k, Math.max(width, k + 1), id);
  }

  private List<Neighbor> search(float[] query, int k, int width, String exclude) throws IOException {
    checkArgument(k >= 1, "k must be >= 1, got %s", k);
    checkArgument(width >= k, "search width must be >= k=%s, got %s", k, width);
    if (query.length != manifest.dim()) {
      throw new IllegalArgumentException("query vector has " + query.length + " dimensions, index " + dir + " has "
          + manifest.dim() + " (model " + manifest.modelId() + ")");
    }
    float[] unit = CosineVectors.normalized(query);
    checkArgument(unit != null, "query vector is zero or not finite: it has no cosine neighbours");
    List<HnswShard.Hit> hits = new ArrayList<>();
    for (HnswShard s : shards) {
      hits.addAll(s.search(unit, width));
    }
    hits.sort(Comparator.comparingDouble((HnswShard.Hit h) -> -h.score()));
    List<HnswShard.Hit> top = hits.subList(0, Math.min(hits.size(), exclude == null ? k : k + 1));
    List<Neighbor> out = new ArrayList<>(top.size());
    for (HnswShard s : shards) {
      List<HnswShard.Hit> mine = top.stream().filter(h -> h.shard() == s).toList();
      if (!mine.isEmpty()) {
        for (Neighbor n : s.neighbors(mine)) {
          if (!n.id().equals(exclude)) {
            out.add(n);
          }
        }
      }
    }
    out.sort(Comparator.comparingDouble((Neighbor n) -> -n.score()).thenComparing(Neighbor::id));
    return out.size() > k ? new ArrayList<>(out.subList(0, k)) : out;
  }

  @Override
  public void close() throws IOException {
    IOException first = null;
    for (HnswShard s : shards) {
      try {
        s.close();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    if (downloaded != null) {
      Locations.deleteTree(downloaded);
    }
    if (first != null) {
      throw first;
    }
  }
}
