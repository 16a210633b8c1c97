package dev.symmim.transforms.embed;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.dataset.JsonFiles;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * {@code manifest.json} of an embeddings directory written by {@code symmim embed}:
 *
 * <pre>
 * manifest.json                                 this record
 * embeddings/part-SSSSS-of-NNNNN.avro            {@code dev.symmim.schemas.Embedding} records
 * vertex/part-SSSSS-of-NNNNN.json                Vertex AI Vector Search input: {"id", "embedding", "restricts"} per line
 * vertex-index-metadata.json                    the Vector Search index's metadata (gcloud ai indexes create --metadata-file)
 * failed/failed-SSSSS-of-NNNNN.avro              FailedRecord dead letters
 * </pre>
 *
 * Counts reconcile: {@code inputs == records() + failed}.
 *
 * @param modelId the weights and branch, as in every record ({@code sha256:<16 hex>/<branch>})
 * @param dim vector length
 * @param encoder {@code online}, {@code momentum}, {@code random} or {@code pixels}
 * @param checkpoint the checkpoint directory the weights came from (null for raw pixels)
 * @param dataset the prepared dataset directory
 * @param datasetManifestSha256 SHA-256 of the dataset's manifest.json bytes
 * @param shards every embeddings part file with record count and SHA-256 (paths relative to here)
 * @param vertexFiles every Vertex AI input part file (see {@link VertexExport})
 * @param vertexIndexMetadata {@value VertexIndexMetadata#FILE_NAME} (see {@link VertexIndexMetadata}); null in
 *     directories written before it existed
 * @param splits records per split
 * @param classes class names of the dataset (index = label)
 * @param config how the vectors were made (flags, image size, normalization, pooling)
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record EmbeddingsManifest(
    String modelId,
    int dim,
    String encoder,
    String checkpoint,
    String dataset,
    String datasetManifestSha256,
    long inputs,
    long failed,
    Map<String, Long> splits,
    List<DatasetManifest.Shard> shards,
    List<String> vertexFiles,
    String vertexIndexMetadata,
    List<String> classes,
    JsonNode config) {

  public static final String FILE_NAME = "manifest.json";
  public static final String EMBEDDINGS_DIR = "embeddings";
  public static final String VERTEX_DIR = "vertex";

  /** Records over all splits. */
  public long records() {
    return splits.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Whether every input is accounted for. */
  public boolean reconciles() {
    return inputs == records() + failed;
  }

  /** Writes {@code manifest.json} into {@code dir}, via a temporary file and a rename. */
  public void writeTo(String dir) throws IOException {
    JsonFiles.write(dir, FILE_NAME, this);
  }

  /** Reads {@code <dir>/manifest.json}; a missing or malformed file is reported with its path. */
  public static EmbeddingsManifest readFrom(String dir) throws IOException {
    EmbeddingsManifest m = JsonFiles.read(dir, FILE_NAME, EmbeddingsManifest.class, "embeddings manifest",
        "is this a 'symmim embed' output directory?");
    JsonFiles.check(m.missingPart(), dir, FILE_NAME, "embeddings manifest");
    return m;
  }

  /** What a usable manifest lacks (split counts, shards, a shard's path or sha256); null if nothing. */
  String missingPart() {
    if (splits == null || splits.containsValue(null)) {
      return "no record count per split";
    }
    return shards == null ? "no shards" : DatasetManifest.Shard.missingPart(shards);
  }
}
