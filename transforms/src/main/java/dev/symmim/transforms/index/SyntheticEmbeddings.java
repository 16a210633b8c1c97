package dev.symmim.transforms.index;

import static com.google.common.base.Preconditions.checkArgument;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.symmim.schemas.Embedding;
import dev.symmim.transforms.dataset.AvroShardWriter;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.dataset.DatasetPaths;
import dev.symmim.transforms.embed.EmbeddingsManifest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Gaussian-clustered vectors with a fixed seed, and a writer of real embeddings directories
 * ({@link EmbeddingsManifest} + Avro {@link Embedding} parts), for the index tests and benchmark.
 */
public final class SyntheticEmbeddings {
  private SyntheticEmbeddings() {}

  /** Vectors and the cluster each one was drawn around. */
  public record Clustered(float[][] vectors, int[] cluster) {}

  /**
   * {@code n} vectors of length {@code dim}: cluster centres uniform on the unit sphere, each vector
   * a centre plus isotropic Gaussian noise of standard deviation {@code spread / sqrt(dim)} per
   * component (so the noise has norm about {@code spread}).
   */
  public static Clustered clustered(int n, int dim, int clusters, double spread, long seed) {
    checkArgument(n >= 0 && dim > 0 && clusters > 0, "n=%s dim=%s clusters=%s", n, dim, clusters);
    SplittableRandom random = new SplittableRandom(seed);
    float[][] centres = new float[clusters][];
    for (int c = 0; c < clusters; c++) {
      float[] v = new float[dim];
      for (int i = 0; i < dim; i++) {
        v[i] = (float) gaussian(random);
      }
      centres[c] = CosineVectors.normalized(v);
    }
    double sigma = spread / Math.sqrt(dim);
    float[][] vectors = new float[n][dim];
    int[] cluster = new int[n];
    for (int j = 0; j < n; j++) {
      int c = random.nextInt(clusters);
      cluster[j] = c;
      for (int i = 0; i < dim; i++) {
        vectors[j][i] = (float) (centres[c][i] + sigma * gaussian(random));
      }
    }
    return new Clustered(vectors, cluster);
  }

  private static double gaussian(SplittableRandom r) {
    // Box-Muller; SplittableRandom has no nextGaussian on Java 17.
    double u = 1 - r.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
  }

  /** An embedding record of the {@code train} split labelled {@code class-<label>}. */
  public static Embedding record(String id, int label, float[] vector, String modelId) {
    List<Float> v = new ArrayList<>(vector.length);
    for (float x : vector) {
      v.add(x);
    }
    return Embedding.newBuilder().setId(id).setSplit("train").setLabel(label).setLabelName("class-" + label)
        .setVector(v).setModelId(modelId).build();
  }

  /** The id of vector {@code i}: {@code e0000042}. */
  public static String id(int i) {
    return String.format("e%07d", i);
  }

  /**
   * Writes an embeddings directory: {@code records} split into {@code parts} Avro files under
   * {@code embeddings/} and a manifest (written last) declaring {@code dim} and {@code modelId}.
   */
  public static EmbeddingsManifest writeDirectory(String dir, List<Embedding> records, int dim, String modelId,
      int classes, int parts) throws IOException {
    checkArgument(parts >= 1, "parts must be >= 1, got %s", parts);
    List<DatasetManifest.Shard> shards = new ArrayList<>();
    for (int p = 0; p < parts; p++) {
      String path = String.format("%s/part-%05d-of-%05d.avro", EmbeddingsManifest.EMBEDDINGS_DIR, p, parts);
      List<Embedding> part = records.subList((int) ((long) records.size() * p / parts),
          (int) ((long) records.size() * (p + 1) / parts));
      AvroShardWriter.Written w = AvroShardWriter.write(DatasetPaths.resolve(dir, path), Embedding.getClassSchema(), part);
      shards.add(new DatasetManifest.Shard(path, w.records(), w.bytes(), w.sha256()));
    }
    List<String> classNames = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      classNames.add("class-" + c);
    }
    ObjectNode config = DatasetManifest.json().createObjectNode();
    config.put("generator", "SyntheticEmbeddings (Gaussian clusters)");
    EmbeddingsManifest m = new EmbeddingsManifest(modelId, dim, "synthetic", null, "synthetic", null,
        records.size(), 0, Map.of("train", (long) records.size()), shards, List.of(), null, classNames, config);
    m.writeTo(dir);
    return m;
  }
}
