package dev.symmim.model.finetune;

import dev.symmim.model.augment.FloatImage;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Fashion-MNIST read straight from its gzipped IDX files (60k train / 10k test, 28x28 grey),
 * resized 28 -> 32 px by bilinear interpolation (align_corners = false, {@link FloatImage#resized}),
 * as {@code symmim prepare} does, so that the 4 px patches give an 8x8 grid (k = 2 divides it).
 */
final class FashionMnist {
  static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");
  static final int SIZE = 32;

  /** One split: images at 32 px in [0, 1] (HWC, 1 channel) and their labels. */
  record Split(FloatImage[] images, int[] labels) {
    int size() {
      return labels.length;
    }
  }

  private FashionMnist() {}

  static Split train(Path dir) throws IOException {
    return read(dir.resolve("train-images-idx3-ubyte.gz"), dir.resolve("train-labels-idx1-ubyte.gz"));
  }

  static Split test(Path dir) throws IOException {
    return read(dir.resolve("t10k-images-idx3-ubyte.gz"), dir.resolve("t10k-labels-idx1-ubyte.gz"));
  }

  static Split read(Path imageFile, Path labelFile) throws IOException {
    int[] labels;
    try (DataInputStream in = open(labelFile)) {
      check(in.readInt() == 0x00000801, labelFile + ": not an IDX1 ubyte file");
      labels = new int[in.readInt()];
      byte[] raw = new byte[labels.length];
      in.readFully(raw);
      for (int i = 0; i < raw.length; i++) {
        labels[i] = raw[i] & 0xFF;
      }
    }
    FloatImage[] images;
    try (DataInputStream in = open(imageFile)) {
      check(in.readInt() == 0x00000803, imageFile + ": not an IDX3 ubyte file");
      int n = in.readInt();
      int rows = in.readInt();
      int cols = in.readInt();
      check(n == labels.length, imageFile + ": " + n + " images but " + labels.length + " labels");
      images = new FloatImage[n];
      byte[] raw = new byte[rows * cols];
      for (int i = 0; i < n; i++) {
        in.readFully(raw);
        images[i] = FloatImage.fromUint8(raw, rows, cols, 1).resized(SIZE);
      }
    }
    return new Split(images, labels);
  }

  /** Per-channel mean and std over all pixels of {@code images} (one channel here). */
  static float[][] channelStats(FloatImage[] images) {
    double sum = 0;
    double sumSq = 0;
    long count = 0;
    for (FloatImage img : images) {
      for (float v : img.data()) {
        sum += v;
        sumSq += (double) v * v;
      }
      count += img.data().length;
    }
    double mean = sum / count;
    double std = Math.sqrt(Math.max(0, sumSq / count - mean * mean));
    return new float[][] {{(float) mean}, {(float) std}};
  }

  private static DataInputStream open(Path file) throws IOException {
    InputStream raw = Files.newInputStream(file);
    return new DataInputStream(new GZIPInputStream(raw, 1 << 16));
  }

  private static void check(boolean ok, String message) throws IOException {
    if (!ok) {
      throw new IOException(message);
    }
  }
}
