package dev.symmim.transforms.pretrain;

import dev.symmim.schemas.Example;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.failures.BadInputException;
import dev.symmim.transforms.images.ImagePreprocessor;
import dev.symmim.transforms.images.RasterImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;

/**
 * The train split of a prepared dataset, held as stored (raw or PNG bytes) in shard order; images
 * are decoded on demand by the loader's worker threads. Every shard is checked against the
 * manifest's sha256 and record count before it is used.
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
    DatasetManifest.Split train = manifest.splits().get("train");
    if (train == null || train.shards().isEmpty()) {
      throw new IllegalArgumentException("dataset " + dataDir + " has no train split in its manifest");
    }
    ResourceId root = FileSystems.matchNewResource(dataDir, true);
    List<Example> examples = new ArrayList<>();
    for (DatasetManifest.Shard shard : train.shards()) {
      if (maxImages > 0 && examples.size() >= maxImages) {
        break;
      }
      ResourceId file = root.resolve(shard.path(), StandardResolveOptions.RESOLVE_FILE);
      byte[] bytes;
      try (InputStream in = Channels.newInputStream(FileSystems.open(file))) {
        bytes = in.readAllBytes();
      } catch (java.io.FileNotFoundException e) {
        throw new IllegalArgumentException("shard " + file + " listed in the manifest is missing", e);
      }
      String sha = sha256(bytes);
      if (!sha.equals(shard.sha256())) {
        throw new IllegalArgumentException("shard " + file + " has sha256 " + sha + " but the manifest says "
            + shard.sha256() + ": the dataset changed after prepare; re-run prepare");
      }
      long count = 0;
      try (DataFileStream<Example> in = new DataFileStream<>(new ByteArrayInputStream(bytes),
          new SpecificDatumReader<>(Example.class))) {
        while (in.hasNext()) {
          Example e = in.next();
          count++;
          if (maxImages == 0 || examples.size() < maxImages) {
            examples.add(e);
          }
        }
      }
      if (count != shard.records()) {
        throw new IllegalArgumentException("shard " + file + " holds " + count + " records but the manifest says "
            + shard.records());
      }
    }
    return new TrainingImages(examples, manifest.imageSize(), manifest.channels());
  }

  public int count() {
    return examples.size();
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

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
