package dev.symmim.transforms.dataset;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.util.MimeTypes;

/**
 * {@code manifest.json} of a prepared dataset: counts that reconcile ({@code inputs == sum of
 * split records + failed + duplicates}), the shards with their checksums, classes, image geometry,
 * channel statistics and the configuration that produced it.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record DatasetManifest(
    long inputs,
    long failed,
    long duplicates,
    Map<String, Split> splits,
    List<String> classes,
    int imageSize,
    int channels,
    String storage,
    double[] channelMean,
    double[] channelStd,
    JsonNode config) {

  public static final String FILE_NAME = "manifest.json";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** One split's shards and examples per class name (unlabeled examples are not counted). */
  public record Split(long records, Map<String, Long> classCounts, List<Shard> shards) {}

  /** One shard file, path relative to the dataset directory. */
  public record Shard(String path, long records, long bytes, String sha256) {}

  /** Records over all splits. */
  public long records() {
    return splits.values().stream().mapToLong(Split::records).sum();
  }

  /** Whether every input is accounted for. */
  public boolean reconciles() {
    return inputs == records() + failed + duplicates;
  }

  public static ObjectMapper json() {
    return JSON;
  }

  public String toJson() throws IOException {
    return JSON.writeValueAsString(this);
  }

  /** Writes {@code manifest.json} into {@code dir}, via a temporary file and a rename. */
  public void writeTo(String dir) throws IOException {
    ResourceId base = FileSystems.matchNewResource(dir, true);
    ResourceId target = base.resolve(FILE_NAME, StandardResolveOptions.RESOLVE_FILE);
    ResourceId temp = base.resolve("." + FILE_NAME + ".tmp-" + Long.toHexString(System.nanoTime()),
        StandardResolveOptions.RESOLVE_FILE);
    try (OutputStream out = Channels.newOutputStream(FileSystems.create(temp, MimeTypes.TEXT))) {
      out.write(toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      out.write('\n');
    }
    FileSystems.rename(List.of(temp), List.of(target), MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
  }

  /** Reads {@code <dir>/manifest.json}; a missing or malformed file is reported with its path. */
  public static DatasetManifest readFrom(String dir) throws IOException {
    ResourceId target = DatasetPaths.resolve(dir, FILE_NAME);
    try (InputStream in = Channels.newInputStream(FileSystems.open(target))) {
      return JSON.readValue(in, DatasetManifest.class);
    } catch (java.io.FileNotFoundException e) {
      throw new IOException("no manifest at " + target + ": is this a prepared dataset directory?", e);
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new IOException("malformed manifest " + target + ": " + e.getOriginalMessage(), e);
    }
  }
}
