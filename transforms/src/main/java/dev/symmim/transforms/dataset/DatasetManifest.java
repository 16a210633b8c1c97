package dev.symmim.transforms.dataset;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.util.List;
import java.util.Map;

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
  public record Shard(String path, long records, long bytes, String sha256) {
    /** What a list of shards lacks (a shard, its path or sha256); null if nothing. */
    public static String missingPart(List<Shard> shards) {
      for (Shard s : shards) {
        if (s == null || s.path() == null || s.sha256() == null) {
          return "has a shard without path or sha256: " + s;
        }
      }
      return null;
    }
  }

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
    JsonFiles.write(dir, FILE_NAME, this);
  }

  /**
   * Reads {@code <dir>/manifest.json}; a missing or malformed file, or one without its splits,
   * shards or classes, is reported with its path.
   */
  public static DatasetManifest readFrom(String dir) throws IOException {
    DatasetManifest m =
        JsonFiles.read(dir, FILE_NAME, DatasetManifest.class, "manifest", "is this a prepared dataset directory?");
    JsonFiles.check(m.missingPart(), dir, FILE_NAME, "manifest");
    return m;
  }

  /** What a usable manifest lacks (splits, a split's shards, a shard's path or sha256, classes); null if nothing. */
  String missingPart() {
    if (splits == null || classes == null) {
      return splits == null ? "no splits" : "no classes";
    }
    for (Map.Entry<String, Split> e : splits.entrySet()) {
      if (e.getValue() == null || e.getValue().shards() == null) {
        return "split '" + e.getKey() + "' lists no shards";
      }
      String shards = Shard.missingPart(e.getValue().shards());
      if (shards != null) {
        return "split '" + e.getKey() + "' " + shards;
      }
    }
    return null;
  }
}
