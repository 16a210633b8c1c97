package dev.symmim.transforms.embed;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.symmim.schemas.Embedding;
import dev.symmim.schemas.ShardInfo;
import dev.symmim.transforms.dataset.AvroShardWriter;
import dev.symmim.transforms.dataset.DatasetPaths;
import dev.symmim.transforms.dataset.StableHash;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Writes embeddings as {@code embeddings/part-SSSSS-of-NNNNN.avro} (records sorted by id, placed by
 * a stable hash of the id, so reruns write identical bytes) and, beside each part, the Vertex AI
 * Vector Search input {@code vertex/part-SSSSS-of-NNNNN.json}: one
 * {@code {"id":..,"embedding":[..],"restricts":[split, label]}} per line, as {@link VertexExport} says.
 * Emits one {@link ShardInfo} per Avro part (split {@code "embeddings"}).
 */
public final class WriteEmbeddings extends PTransform<PCollection<Embedding>, PCollection<ShardInfo>> {
  /** Vertex AI Vector Search reads at most this many files per import. */
  public static final int MAX_SHARDS = 5000;
  private final String outputDir;
  private final int numShards;
  private final VertexExport vertex;
  private final List<String> classes;

  private WriteEmbeddings(String outputDir, int numShards, VertexExport vertex, List<String> classes) {
    this.outputDir = outputDir;
    this.numShards = numShards;
    this.vertex = vertex;
    this.classes = classes;
  }

  /** Writes into {@code outputDir}: {@link VertexExport#defaults()}, no class names (labels as indices). */
  public static WriteEmbeddings to(String outputDir, int numShards) {
    if (numShards < 1 || numShards > MAX_SHARDS) {
      throw new IllegalArgumentException("shards must be in [1, " + MAX_SHARDS + "], got " + numShards);
    }
    return new WriteEmbeddings(outputDir, numShards, VertexExport.defaults(), List.of());
  }

  /** How the Vertex AI records are written (their crowding tag); see {@link VertexExport}. */
  public WriteEmbeddings withVertex(VertexExport value) {
    if (value == null) {
      throw new IllegalArgumentException("vertex export settings must not be null");
    }
    return new WriteEmbeddings(outputDir, numShards, value, classes);
  }

  /** The dataset's class names (index = label), for label restricts of records without a label name. */
  public WriteEmbeddings withClasses(List<String> value) {
    return new WriteEmbeddings(outputDir, numShards, vertex, value == null ? List.of() : new ArrayList<>(value));
  }

  /** Relative path of part {@code shard} in {@code dir} ({@code embeddings} or {@code vertex}). */
  public static String partPath(String dir, int shard, int numShards, String extension) {
    return String.format("%s/part-%05d-of-%05d.%s", dir, shard, numShards, extension);
  }

  @Override
  public PCollection<ShardInfo> expand(PCollection<Embedding> input) {
    int n = numShards;
    return input
        .apply("KeyByShard", WithKeys.<Integer, Embedding>of(e -> (int) Math.floorMod(StableHash.of("embed-shard", e.getId().toString()), (long) n))
            .withKeyType(TypeDescriptors.integers()))
        .setCoder(KvCoder.of(VarIntCoder.of(), AvroCoder.of(Embedding.class)))
        .apply("GroupShards", GroupByKey.create())
        .apply("WriteParts", ParDo.of(new WriteFn(outputDir, numShards, vertex, classes)))
        .setCoder(AvroCoder.of(ShardInfo.class));
  }

  static class WriteFn extends DoFn<KV<Integer, Iterable<Embedding>>, ShardInfo> {
    private final String outputDir;
    private final int numShards;
    private final VertexExport vertex;
    private final List<String> classes;

    WriteFn(String outputDir, int numShards, VertexExport vertex, List<String> classes) {
      this.outputDir = outputDir;
      this.numShards = numShards;
      this.vertex = vertex;
      this.classes = classes;
    }

    @ProcessElement
    public void process(@Element KV<Integer, Iterable<Embedding>> part, OutputReceiver<ShardInfo> out) throws IOException {
      List<Embedding> records = new ArrayList<>();
      part.getValue().forEach(records::add);
      records.sort(Comparator.comparing(e -> e.getId().toString()));
      int shard = part.getKey();
      String avro = partPath(EmbeddingsManifest.EMBEDDINGS_DIR, shard, numShards, "avro");
      AvroShardWriter.Written w = AvroShardWriter.write(DatasetPaths.resolve(outputDir, avro), Embedding.getClassSchema(), records);
      writeVertex(DatasetPaths.resolve(outputDir, partPath(EmbeddingsManifest.VERTEX_DIR, shard, numShards, "json")),
          DatasetPaths.resolve(outputDir, EmbeddingsManifest.VERTEX_DIR + "/.tmp-" + shard + "-" + System.nanoTime()),
          records, vertex, classes);
      out.output(w.toShardInfo(EmbeddingsManifest.EMBEDDINGS_DIR, shard, numShards, avro));
    }
  }

  private static final JsonFactory JSON = new JsonFactory();

  /** Writes the Vertex AI JSON lines under a temporary name, then renames into place. */
  static void writeVertex(ResourceId target, ResourceId temp, List<Embedding> records, VertexExport vertex,
      List<String> classes) throws IOException {
    try (OutputStream out = Channels.newOutputStream(FileSystems.create(temp, MimeTypes.TEXT));
        JsonGenerator g = JSON.createGenerator(out)) {
      g.setRootValueSeparator(new com.fasterxml.jackson.core.io.SerializedString("\n"));
      for (Embedding e : records) {
        vertex.write(g, e, classes);
      }
      g.writeRaw('\n');
    }
    FileSystems.rename(List.of(temp), List.of(target), MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
  }
}
