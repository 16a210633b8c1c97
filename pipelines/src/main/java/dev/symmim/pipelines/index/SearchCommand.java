package dev.symmim.pipelines.index;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.symmim.pipelines.options.Flags;
import dev.symmim.pipelines.options.OptionDocs;
import dev.symmim.transforms.io.Locations;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.training.Checkpoints;
import dev.symmim.transforms.embed.Embedder;
import dev.symmim.transforms.embed.EmbeddingsManifest;
import dev.symmim.transforms.embed.EncoderKind;
import dev.symmim.transforms.failures.BadInputException;
import dev.symmim.transforms.images.ImageDecoder;
import dev.symmim.transforms.images.ImagePreprocessor;
import dev.symmim.transforms.images.PixelStorage;
import dev.symmim.transforms.images.RasterImage;
import dev.symmim.transforms.index.HnswIndex;
import dev.symmim.transforms.index.IndexManifest;
import dev.symmim.transforms.index.Neighbor;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.io.FileSystems;

/**
 * {@code symmim search}: opens an index (all shards), embeds the query if it is an image, searches
 * every shard and prints the merged neighbours. No pipeline: one query, one process.
 */
public final class SearchCommand {
  /**
   * The default search width: on {@code symmim bench index} (100k x 192-d Gaussian clusters, m=16,
   * efConstruction=100) the smallest width with recall@10 >= 0.99 (0.9968; width 20 gave 0.989).
   */
  public static final int DEFAULT_WIDTH = 30;
  /** prepare's default {@code --maxPixels}, for datasets whose manifest does not record it. */
  static final long DEFAULT_MAX_PIXELS = 67_108_864L;

  private SearchCommand() {}

  static void validate(SearchOptions o) {
    OptionDocs.requireAll(o, SearchOptions.class);
    boolean byId = o.getId() != null && !o.getId().isBlank();
    boolean byImage = o.getImage() != null && !o.getImage().isBlank();
    if (byId == byImage) {
      throw new IllegalArgumentException("give exactly one query: --id=<record id> or --image=<file>");
    }
    Flags.check(o.getK() >= 1, "k", o.getK(), "must be >= 1");
    Flags.check(o.getWidth() >= o.getK(), "width", o.getWidth(), "must be >= --k=" + o.getK());
  }

  /** Runs the query and prints the neighbours to {@code out}; returns them. */
  public static List<Neighbor> run(SearchOptions o, PrintStream out) throws IOException {
    validate(o);
    FileSystems.setDefaultPipelineOptions(o);
    String indexDir = Locations.absolute(o.getIndex());
    HnswIndex index;
    try {
      index = HnswIndex.open(indexDir);
    } catch (IOException e) {
      throw new IllegalArgumentException("--index=" + o.getIndex() + ": " + e.getMessage(), e);
    }
    try (index) {
      List<Neighbor> hits;
      if (o.getId() != null && !o.getId().isBlank()) {
        hits = index.searchById(o.getId(), o.getK(), o.getWidth());
      } else {
        hits = index.search(embedImage(o, index.manifest()), o.getK(), o.getWidth());
      }
      print(o, hits, out);
      return hits;
    }
  }

  /** The query image's embedding, made the way 'prepare' and 'embed' made the indexed ones. */
  static float[] embedImage(SearchOptions o, IndexManifest index) throws IOException {
    EmbeddingsManifest em;
    try {
      em = EmbeddingsManifest.readFrom(index.embeddings());
    } catch (IOException e) {
      throw new IllegalArgumentException("--image needs the embeddings directory the index was built from ("
          + index.embeddings() + ", named in index.json) to know how to prepare and embed the image: " + e.getMessage(), e);
    }
    EncoderKind kind;
    try {
      kind = EncoderKind.valueOf(em.encoder());
    } catch (IllegalArgumentException e) {
      kind = null;
    }
    if (kind != EncoderKind.online && kind != EncoderKind.momentum) { // (random and pixel indexes are baselines)
      throw new IllegalArgumentException("--image works with indexes of a checkpoint's online or momentum encoder; "
          + "index " + o.getIndex() + " holds '" + em.encoder() + "' embeddings (" + index.modelId() + ")");
    }
    String checkpointFlag = o.getCheckpoint() != null && !o.getCheckpoint().isBlank() ? o.getCheckpoint() : em.checkpoint();
    Flags.require(checkpointFlag, "checkpoint", "the pretrain run or checkpoint the index's embeddings came from");
    Path checkpoint;
    try {
      checkpoint = Checkpoints.local(Checkpoints.locate(checkpointFlag)); // gs:// downloaded once
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--checkpoint=" + checkpointFlag + ": " + e.getMessage(), e);
    }
    String readout = em.config() == null ? "cls" : em.config().path("readout").asText("cls");
    String modelId = Checkpoints.modelId(checkpoint, kind.name()) + (readout.equals("cls") ? "" : "@" + readout);
    if (!modelId.equals(index.modelId())) {
      throw new IllegalArgumentException("--checkpoint=" + checkpointFlag + " is model " + modelId + " but index "
          + o.getIndex() + " was built from model " + index.modelId() + ": query and index vectors would not be "
          + "comparable (use the checkpoint the embeddings came from: " + em.checkpoint() + ")");
    }
    DatasetManifest dataset;
    try {
      dataset = DatasetManifest.readFrom(em.dataset());
    } catch (IOException e) {
      throw new IllegalArgumentException("--image needs the prepared dataset's manifest (" + em.dataset()
          + ", named by the embeddings manifest) for the image size and channels: " + e.getMessage(), e);
    }
    long maxPixels = dataset.config() == null ? DEFAULT_MAX_PIXELS : dataset.config().path("maxPixels").asLong(DEFAULT_MAX_PIXELS);
    byte[] bytes;
    try (InputStream in = Channels.newInputStream(FileSystems.open(FileSystems.matchNewResource(o.getImage(), false)))) {
      bytes = in.readAllBytes();
    } catch (java.io.FileNotFoundException e) {
      throw new IllegalArgumentException("--image=" + o.getImage() + ": no such file", e);
    }
    RasterImage prepared;
    try {
      RasterImage decoded = new ImageDecoder(maxPixels).decode(bytes);
      prepared = ImagePreprocessor.rawPixels(new ImagePreprocessor(dataset.imageSize(), dataset.channels(), PixelStorage.raw)
          .toExample("query", o.getImage(), null, -1, "", decoded));
    } catch (BadInputException e) {
      throw new IllegalArgumentException("--image=" + o.getImage() + ": " + e.kind() + ": " + e.getMessage(), e);
    }
    Embedder.Spec spec = new Embedder.Spec(kind, checkpoint.toString(), o.getDevice().kind, dataset.imageSize(),
        dataset.channels(), dataset.channelMean(), dataset.channelStd(), readout);
    try (Embedder embedder = spec.open()) {
      if (embedder.dim() != index.dim()) {
        throw new IllegalArgumentException("--checkpoint=" + checkpointFlag + " makes " + embedder.dim()
            + "-d embeddings, index " + o.getIndex() + " holds " + index.dim() + "-d vectors");
      }
      return embedder.embed(prepared.pixels(), 1, prepared.height(), prepared.width())[0];
    }
  }

  static void print(SearchOptions o, List<Neighbor> hits, PrintStream out) throws IOException {
    if (o.getJson()) {
      ObjectNode root = DatasetManifest.json().createObjectNode();
      root.put("index", o.getIndex());
      if (o.getId() != null && !o.getId().isBlank()) {
        root.put("id", o.getId());
      } else {
        root.put("image", o.getImage());
      }
      root.put("k", o.getK());
      root.put("width", o.getWidth());
      ArrayNode list = root.putArray("neighbors");
      for (Neighbor n : hits) {
        ObjectNode e = list.addObject();
        e.put("id", n.id());
        e.put("split", n.split());
        e.put("label", n.label());
        e.put("labelName", n.labelName());
        e.put("score", n.score());
      }
      out.println(DatasetManifest.json().writeValueAsString(root));
    } else {
      for (Neighbor n : hits) {
        out.printf("%s\t%s\t%.6f%n", n.id(), n.labelName() != null ? n.labelName() : String.valueOf(n.label()),
            n.score());
      }
    }
  }
}
