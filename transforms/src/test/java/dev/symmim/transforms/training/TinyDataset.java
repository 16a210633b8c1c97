package dev.symmim.transforms.training;

import dev.symmim.transforms.io.Sha256;
import dev.symmim.model.config.ContrastiveHeads;
import dev.symmim.model.config.Normalization;
import dev.symmim.model.config.Optimisation;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.model.config.RunSettings;
import dev.symmim.model.config.Schedule;
import dev.symmim.model.vit.VitSpec;
import dev.symmim.schemas.Example;
import dev.symmim.schemas.PixelEncoding;
import dev.symmim.transforms.dataset.DatasetManifest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;

/** A prepared dataset of random 16x16 grey images (blobs on a background), written like prepare writes one. */
public final class TinyDataset {
  public static final int SIZE = 16;

  private TinyDataset() {}

  /** A train split of {@code n} images. */
  public static void write(Path dir, int n) throws IOException {
    write(dir, n, 0);
  }

  /**
   * {@code train} train and {@code val} val images; an image's label says in which half its blob is
   * (0: top half, 1: bottom half), so a classifier can learn it.
   */
  public static void write(Path dir, int train, int val) throws IOException {
    Random r = new Random(7);
    Map<String, DatasetManifest.Split> splits = new LinkedHashMap<>();
    splits.put("train", split(dir, "train", 0, train, r));
    if (val > 0) {
      splits.put("val", split(dir, "val", train, val, r));
    }
    new DatasetManifest(train + val, 0, 0, splits, List.of("0", "1"), SIZE, 1, "raw", new double[] {0.2},
        new double[] {0.3}, null).writeTo(dir.toString());
  }

  private static DatasetManifest.Split split(Path dir, String name, int first, int n, Random r) throws IOException {
    Files.createDirectories(dir.resolve(name));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    long[] counts = new long[2];
    try (DataFileWriter<Example> w = new DataFileWriter<>(new SpecificDatumWriter<>(Example.class))) {
      w.create(Example.getClassSchema(), bytes);
      for (int i = first; i < first + n; i++) {
        byte[] px = new byte[SIZE * SIZE];
        int cx = r.nextInt(SIZE);
        int cy = r.nextInt(SIZE);
        for (int y = 0; y < SIZE; y++) {
          for (int x = 0; x < SIZE; x++) {
            px[y * SIZE + x] = (byte) (Math.abs(x - cx) + Math.abs(y - cy) < 5 ? 220 : 20 + r.nextInt(20));
          }
        }
        int label = cy < SIZE / 2 ? 0 : 1; // horizontal flips keep it
        counts[label]++;
        w.append(Example.newBuilder().setId(String.format("img%05d", i)).setSource("test").setSplit(name)
            .setLabel(label).setLabelName(String.valueOf(label)).setHeight(SIZE).setWidth(SIZE).setChannels(1)
            .setEncoding(PixelEncoding.RAW).setPixels(ByteBuffer.wrap(px)).setContentHash("h" + i).build());
      }
    }
    String path = name + "/" + name + "-00000-of-00001.avro";
    Files.write(dir.resolve(path), bytes.toByteArray());
    return new DatasetManifest.Split(n, Map.of("0", counts[0], "1", counts[1]),
        List.of(new DatasetManifest.Shard(path, n, bytes.size(), Sha256.of(bytes.toByteArray()))));
  }

  /** A dim-16 depth-1 model on 16 px, patch 4 (4x4 grid, k = 2), one torch thread. */
  public static PretrainConfig config(int images, int batch, int epochs) {
    return PretrainConfig.of(new VitSpec(SIZE, 4, 1, 16, 1, 2, 2))
        .withHeads(new ContrastiveHeads(32, 16, 32))
        .withOptimisation(Optimisation.pretraining().withBatch(batch, 1.5e-4))
        .withSchedule(Schedule.epochs(epochs, images / batch))
        .withNormalization(new Normalization(new float[] {0.2f}, new float[] {0.3f}))
        .withRun(RunSettings.defaults().withSeed(3).withThreads(1, 1));
  }
}
