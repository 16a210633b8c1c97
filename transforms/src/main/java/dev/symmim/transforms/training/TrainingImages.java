package dev.symmim.transforms.training;

import dev.symmim.schemas.Example;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.dataset.VerifiedShard;
import dev.symmim.transforms.failures.BadInputException;
import dev.symmim.transforms.images.ImagePreprocessor;
import dev.symmim.transforms.images.RasterImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;

/**
 * One split of a prepared dataset (train by default), held as stored (raw or PNG bytes) in shard
 * order, with ids and labels; images are decoded on demand by the loader's worker threads. Every
 * shard is checked against the manifest's sha256 and record count before it is used.
 */
public final class TrainingImages {
  private final List<Example> examples;
  private final int size;
  private final int channels;

  private TrainingImages(List<Example> examples, int size, int channels) {
    this.examples = examples;
    this.size = size;
    this.channels = channels;
  }

  /** Reads the train shards listed in {@code manifest} under {@code dataDir}; at most {@code maxImages} (0: all). */
  public static TrainingImages load(String dataDir, DatasetManifest manifest, int maxImages) throws IOException {
    return load(dataDir, manifest, "train", maxImages);
  }

  /** Reads the shards of {@code split}; at most {@code maxImages} (0: all). */
  public static TrainingImages load(String dataDir, DatasetManifest manifest, String split, int maxImages)
      throws IOException {
    DatasetManifest.Split train = manifest.splits() == null ? null : manifest.splits().get(split);
    if (train == null || train.shards().isEmpty()) {
      throw new IllegalArgumentException("dataset " + dataDir + " has no " + split + " split in its manifest");
    }
    ResourceId root = org.apache.beam.sdk.io.FileSystems.matchNewResource(dataDir, true);
    List<Example> examples = new ArrayList<>();
    for (DatasetManifest.Shard shard : train.shards()) {
      if (maxImages > 0 && examples.size() >= maxImages) {
        break;
      }
      ResourceId file = root.resolve(shard.path(), StandardResolveOptions.RESOLVE_FILE);
      byte[] bytes = VerifiedShard.read(file.toString(), shard.sha256(), shard.records());
      try (DataFileStream<Example> in = new DataFileStream<>(new ByteArrayInputStream(bytes),
          new SpecificDatumReader<>(Example.class))) {
        while (in.hasNext() && (maxImages == 0 || examples.size() < maxImages)) {
          examples.add(in.next());
        }
      }
    }
    return new TrainingImages(examples, manifest.imageSize(), manifest.channels());
  }

  public int count() {
    return examples.size();
  }

  /** The label of image {@code i} (-1: unlabelled). */
  public int label(int i) {
    return examples.get(i).getLabel();
  }

  /** The labels of every image, in order. */
  public int[] labels() {
    return examples.stream().mapToInt(Example::getLabel).toArray();
  }

  /** The id of image {@code i}. */
  public String id(int i) {
    return examples.get(i).getId().toString();
  }

  public int size() {
    return size;
  }

  public int channels() {
    return channels;
  }

  /** The uint8 HWC pixels of image {@code i} (decodes PNG storage). */
  public byte[] pixels(int i) {
    Example e = examples.get(i);
    try {
      RasterImage r = ImagePreprocessor.rawPixels(e);
      if (r.height() != size || r.width() != size || r.channels() != channels) {
        throw new IllegalStateException("example " + e.getId() + " is " + r.height() + "x" + r.width() + "x"
            + r.channels() + ", the manifest says " + size + "x" + size + "x" + channels);
      }
      return r.pixels();
    } catch (BadInputException ex) {
      throw new IllegalStateException("example " + e.getId() + " in a prepared shard does not decode", ex);
    }
  }
}
