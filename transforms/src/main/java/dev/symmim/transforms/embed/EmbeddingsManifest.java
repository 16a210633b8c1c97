package dev.symmim.transforms.embed;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.dataset.DatasetPaths;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.util.MimeTypes;

/**
 * {@code manifest.json} of an embeddings directory written by {@code symmim embed}:
 *
 * <pre>
 * manifest.json                                 this record
 * embeddings/part-SSSSS-of-NNNNN.avro            {@code dev.symmim.schemas.Embedding} records
 * vertex/part-SSSSS-of-NNNNN.json                {"id": .., "embedding": [..]} per line
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
    ResourceId target = DatasetPaths.resolve(dir, FILE_NAME);
    ResourceId temp = DatasetPaths.resolve(dir, "." + FILE_NAME + ".tmp-" + Long.toHexString(System.nanoTime()));
    try (OutputStream out = Channels.newOutputStream(FileSystems.create(temp, MimeTypes.TEXT))) {
      out.write(DatasetManifest.json().writeValueAsString(this).getBytes(StandardCharsets.UTF_8));
      out.write('\n');
    }
    FileSystems.rename(List.of(temp), List.of(target), MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
  }

  /** Reads {@code <dir>/manifest.json}; a missing or malformed file is reported with its path. */
  public static EmbeddingsManifest readFrom(String dir) throws IOException {
    ResourceId target = DatasetPaths.resolve(dir, FILE_NAME);
    try (InputStream in = Channels.newInputStream(FileSystems.open(target))) {
      return DatasetManifest.json().readValue(in, EmbeddingsManifest.class);
    } catch (java.io.FileNotFoundException e) {
      throw new IOException("no embeddings manifest at " + target + ": is this a 'symmim embed' output directory?", e);
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new IOException("malformed embeddings manifest " + target + ": " + e.getOriginalMessage(), e);
    }
  }
}
