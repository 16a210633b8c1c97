package dev.symmim.transforms.embed;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.symmim.model.checkpoint.Checkpoint;
import dev.symmim.model.config.DeviceKind;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.dataset.DatasetPaths;
import dev.symmim.transforms.io.Locations;
import dev.symmim.transforms.io.Sha256;
import dev.symmim.model.infer.Readout;
import dev.symmim.transforms.training.Checkpoints;
import dev.symmim.transforms.training.TrainingImages;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.io.FileSystems;

/**
 * Plans an embedding job on the driver: reads the dataset manifest and the checkpoint, decides the
 * model id, dimension and output part count, and makes the {@link EmbedDataset.Plan}. Shared by
 * {@code symmim embed} and the baselines that {@code symmim evaluate} embeds. Errors name the flag
 * ({@code --data}, {@code --checkpoint}) and the file.
 */
public final class EmbedPlanner {
  /** Output part files: one per this many embeddings unless given. */
  public static final int EMBEDDINGS_PER_SHARD = 50_000;

  private EmbedPlanner() {}

  /**
   * What to embed with which weights.
   *
   * @param shards output part files (0: one per {@value #EMBEDDINGS_PER_SHARD} embeddings)
   * @param threads torch intra-op threads per inference worker
   * @param readout how a checkpoint encoder's vector is read out ({@link Readout}: cls, mean, grid2, ...)
   * @param vertex how the Vertex AI Vector Search input and index metadata are written
   * @param record what made the job (command, flags, code version), kept in the manifest's config
   */
  public record Request(String data, String checkpoint, String output, EncoderKind kind, Readout readout,
      int batchSize, DeviceKind device, int shards, int threads, VertexExport vertex, Map<String, Object> record) {}

  public static EmbedDataset.Plan plan(Request r) throws IOException {
    EncoderKind kind = r.kind();
    String data = Locations.absolute(r.data());
    String output = Locations.absolute(r.output());
    DatasetManifest m;
    byte[] manifestBytes;
    try (InputStream in = Channels.newInputStream(FileSystems.open(DatasetPaths.resolve(data, DatasetManifest.FILE_NAME)))) {
      manifestBytes = in.readAllBytes();
      m = DatasetManifest.json().readValue(manifestBytes, DatasetManifest.class);
    } catch (java.io.FileNotFoundException e) {
      throw new IllegalArgumentException("--data=" + r.data() + ": no " + DatasetManifest.FILE_NAME
          + " (is this a prepared dataset directory?)", e);
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new IllegalArgumentException("--data=" + r.data() + ": malformed " + DatasetManifest.FILE_NAME + ": "
          + e.getOriginalMessage(), e);
    }
    if (m.splits() == null || m.records() <= 0 || m.imageSize() <= 0 || m.channelMean() == null) {
      throw new IllegalArgumentException("--data=" + r.data()
          + " has an invalid manifest (no records, image size or channel stats)");
    }

    String checkpointDir = null;
    String modelId;
    int dim;
    float[] meanImage = null;
    if (kind.isPixels()) {
      modelId = kind + "/" + m.imageSize() + "x" + m.imageSize() + "x" + m.channels();
      dim = m.imageSize() * m.imageSize() * m.channels();
      if (kind == EncoderKind.centredPixels) {
        meanImage = meanImage(data, m);
      }
    } else {
      Path dir;
      try {
        checkpointDir = Checkpoints.locate(r.checkpoint());
        dir = Checkpoints.local(checkpointDir);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--checkpoint=" + r.checkpoint() + ": " + e.getMessage(), e);
      }
      Checkpoint c = Checkpoints.shared(dir);
      PretrainConfig config = c.config();
      if (config.encoder().channels() != m.channels()) {
        throw new IllegalArgumentException("--checkpoint=" + r.checkpoint() + " has an encoder for "
            + config.encoder().channels() + "-channel images but --data=" + r.data() + " holds " + m.channels()
            + "-channel images");
      }
      modelId = Checkpoints.modelId(dir, kind.name());
      if (kind == EncoderKind.random) {
        modelId = modelId.replace("/random", "/random-init-seed-" + config.run().seed());
      }
      try {
        dim = r.readout().size(config.encoder());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--readout=" + r.readout().flag() + ": " + e.getMessage(), e);
      }
      if (!r.readout().equals(Readout.CLS)) {
        modelId = modelId + "@" + r.readout().flag();
      }
    }

    List<ShardRef> shards = new ArrayList<>();
    for (Map.Entry<String, DatasetManifest.Split> split : m.splits().entrySet()) {
      for (DatasetManifest.Shard s : split.getValue().shards()) {
        shards.add(new ShardRef(split.getKey(), DatasetPaths.resolve(data, s.path()).toString(), s.records(), s.sha256()));
      }
    }
    long records = m.records();
    int numShards = r.shards() > 0 ? r.shards()
        : (int) Math.min(WriteEmbeddings.MAX_SHARDS, Math.max(1, (records + EMBEDDINGS_PER_SHARD - 1) / EMBEDDINGS_PER_SHARD));

    ObjectNode config = DatasetManifest.json().valueToTree(r.record());
    config.put("features", features(kind, r.readout()));
    if (!kind.isPixels()) {
      config.put("readout", r.readout().flag());
    }
    config.put("imageSize", m.imageSize());
    config.put("channels", m.channels());
    EmbeddingsManifest template = new EmbeddingsManifest(modelId, dim, kind.name(), checkpointDir, data,
        Sha256.of(manifestBytes), 0, 0, Map.of(), List.of(), List.of(), null, m.classes(), config);
    Embedder.Spec spec = new Embedder.Spec(kind, checkpointDir, r.device(), m.imageSize(), m.channels(),
        m.channelMean(), m.channelStd(), r.threads(), r.readout().flag(), meanImage);
    return new EmbedDataset.Plan(output, shards, spec, r.batchSize(), numShards, r.vertex(),
        DatasetManifest.json().writeValueAsString(template));
  }

  /** What the vectors are, for the manifest. */
  static String features(EncoderKind kind, Readout readout) {
    return switch (kind) {
      case pixels -> "raw pixels, each channel standardized with the dataset's mean/std";
      case centredPixels -> "raw pixels minus the train split's mean image, divided by the channel std";
      default -> "read-out " + readout.flag() + " (cls: CLS token; last4: CLS of the last 4 blocks; mean: mean patch "
          + "token; grid2/grid4: patch tokens averaged over a 2x2/4x4 grid) after the final LayerNorm; no masking; "
          + "images standardized with the checkpoint's channel stats";
    };
  }

  /** The mean image of the train split, in [0, 1], HWC. */
  static float[] meanImage(String data, DatasetManifest m) throws IOException {
    TrainingImages train = TrainingImages.load(data, m, "train", 0);
    double[] sum = new double[m.imageSize() * m.imageSize() * m.channels()];
    for (int i = 0; i < train.count(); i++) {
      byte[] px = train.pixels(i);
      for (int j = 0; j < sum.length; j++) {
        sum[j] += (px[j] & 0xff) / 255.0;
      }
    }
    float[] mean = new float[sum.length];
    for (int j = 0; j < sum.length; j++) {
      mean[j] = (float) (sum[j] / Math.max(1, train.count()));
    }
    return mean;
  }
}
