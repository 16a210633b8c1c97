package dev.symmim.transforms.embed;

import dev.symmim.transforms.dataset.JsonFiles;
import java.io.IOException;

/**
 * {@code vertex-index-metadata.json} of an embeddings directory: the file that
 * {@code gcloud ai indexes create --metadata-file} reads to build a Vertex AI Vector Search index over
 * {@code vertex/} ({@code infra/vertex/deploy.sh} does that). Field names and enum values are those of
 * Vector Search's {@code NearestNeighborSearch} index configuration.
 *
 * <p>It lies beside {@code vertex/}, not inside: Vector Search reads every {@code .json} file directly
 * under {@code contentsDeltaUri} as datapoints, so a metadata file there would fail the import.
 *
 * <p>Distance: our k-NN evaluation and HNSW index rank by cosine similarity of L2-normalised vectors,
 * while the vectors themselves are stored as computed (not normalised). {@code featureNormType:
 * UNIT_L2_NORM} makes Vertex normalise every datapoint and query to unit length, and then
 * {@code DOT_PRODUCT_DISTANCE} (the negated dot product) ranks exactly as cosine similarity does. Vertex
 * documents this pair as equivalent to, and better optimised than, {@code COSINE_DISTANCE}.
 *
 * @param contentsDeltaUri the directory of the Vector Search input files ({@code <output>/vertex}); a
 *     local path for a local run ({@code deploy.sh} points it at the gs:// copy)
 * @param config the index configuration
 */
public record VertexIndexMetadata(String contentsDeltaUri, Config config) {
  public static final String FILE_NAME = "vertex-index-metadata.json";
  public static final String DISTANCE = "DOT_PRODUCT_DISTANCE";
  public static final String NORM = "UNIT_L2_NORM";
  /** Vectors per tree-AH leaf (Vertex's default). */
  public static final long LEAF_NODE_EMBEDDING_COUNT = 1000;
  /** Share of the leaves searched per query (Vertex's default). */
  public static final double FRACTION_LEAF_NODES_TO_SEARCH = 0.05;
  /** Indexes with at most this many bytes of raw vectors get {@code SHARD_SIZE_SMALL} (2 GiB shards). */
  public static final long SMALL_SHARD_MAX_BYTES = 1L << 30;

  /**
   * {@code NearestNeighborSearchConfig}.
   *
   * @param dimensions vector length (the embeddings manifest's dim)
   * @param approximateNeighborsCount neighbours found approximately before exact reordering
   * @param shardSize {@code SHARD_SIZE_SMALL} (2 GiB shards, the cheapest machines) or
   *     {@code SHARD_SIZE_MEDIUM} (20 GiB), by the raw size of the vectors
   * @param distanceMeasureType always {@value #DISTANCE}
   * @param featureNormType always {@value #NORM}
   * @param algorithmConfig tree-AH with Vertex's default leaf size and search fraction
   */
  public record Config(int dimensions, int approximateNeighborsCount, String shardSize, String distanceMeasureType,
      String featureNormType, AlgorithmConfig algorithmConfig) {}

  /** {@code algorithmConfig}: tree-AH, Vector Search's approximate algorithm. */
  public record AlgorithmConfig(TreeAhConfig treeAhConfig) {}

  /** {@code treeAhConfig}. */
  public record TreeAhConfig(long leafNodeEmbeddingCount, double fractionLeafNodesToSearch) {}

  /** The metadata of {@code records} vectors of length {@code dim} in {@code contentsDeltaUri}. */
  public static VertexIndexMetadata of(String contentsDeltaUri, int dim, long records, int approximateNeighborsCount) {
    if (dim < 1) {
      throw new IllegalArgumentException("dimensions must be >= 1, got " + dim);
    }
    return new VertexIndexMetadata(contentsDeltaUri, new Config(dim, approximateNeighborsCount,
        shardSize(records, dim), DISTANCE, NORM,
        new AlgorithmConfig(new TreeAhConfig(LEAF_NODE_EMBEDDING_COUNT, FRACTION_LEAF_NODES_TO_SEARCH))));
  }

  /** {@code SHARD_SIZE_SMALL} up to {@link #SMALL_SHARD_MAX_BYTES} of float32 vectors, else {@code SHARD_SIZE_MEDIUM}. */
  static String shardSize(long records, int dim) {
    return records * dim * 4L <= SMALL_SHARD_MAX_BYTES ? "SHARD_SIZE_SMALL" : "SHARD_SIZE_MEDIUM";
  }

  /** Writes {@value #FILE_NAME} into {@code dir}, via a temporary file and a rename. */
  public void writeTo(String dir) throws IOException {
    JsonFiles.write(dir, FILE_NAME, this);
  }
}
