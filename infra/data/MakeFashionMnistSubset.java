// Makes data/fashion-mnist-subset (the dataset `symmim demo` ships with) from the Debian package
// dataset-fashion-mnist: the first PER_CLASS_TRAIN images of each class from the training set and
// the first PER_CLASS_TEST of each class from the test set, in their original order, as gzipped IDX.
// Run: java infra/data/MakeFashionMnistSubset.java /usr/share/datasets/fashion-mnist data/fashion-mnist-subset
import java.io.*;
import java.nio.file.*;
import java.util.*;
import java.util.zip.*;

public class MakeFashionMnistSubset {
  static final int PER_CLASS_TRAIN = 500;
  static final int PER_CLASS_TEST = 100;

  public static void main(String[] args) throws IOException {
    Path in = Path.of(args[0]);
    Path out = Path.of(args[1]);
    Files.createDirectories(out);
    subset(in, out, "train", PER_CLASS_TRAIN);
    subset(in, out, "t10k", PER_CLASS_TEST);
  }

  static void subset(Path in, Path out, String prefix, int perClass) throws IOException {
    byte[] images = read(in.resolve(prefix + "-images-idx3-ubyte.gz"));
    byte[] labels = read(in.resolve(prefix + "-labels-idx1-ubyte.gz"));
    int n = java.nio.ByteBuffer.wrap(images, 4, 4).getInt();
    int[] taken = new int[10];
    ByteArrayOutputStream img = new ByteArrayOutputStream();
    ByteArrayOutputStream lab = new ByteArrayOutputStream();
    int kept = 0;
    for (int i = 0; i < n; i++) {
      int label = labels[8 + i] & 0xff;
      if (taken[label] < perClass) {
        taken[label]++;
        img.write(images, 16 + i * 784, 784);
        lab.write(label);
        kept++;
      }
    }
    write(out.resolve(prefix + "-images-idx3-ubyte.gz"), header(0x803, kept, 28, 28), img.toByteArray());
    write(out.resolve(prefix + "-labels-idx1-ubyte.gz"), header(0x801, kept), lab.toByteArray());
    System.out.println(prefix + ": " + kept + " images");
  }

  static byte[] header(int... ints) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * ints.length);
    for (int v : ints) b.putInt(v);
    return b.array();
  }

  static byte[] read(Path p) throws IOException {
    try (InputStream s = new GZIPInputStream(Files.newInputStream(p))) {
      return s.readAllBytes();
    }
  }

  static void write(Path p, byte[] header, byte[] body) throws IOException {
    try (OutputStream s = new GZIPOutputStream(Files.newOutputStream(p))) {
      s.write(header);
      s.write(body);
    }
  }
}
