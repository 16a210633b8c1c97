package dev.symmim.pipelines.bench;

import dev.symmim.pipelines.runner.BuildInfo;
import dev.symmim.pipelines.runner.StageOptions;
import dev.symmim.pipelines.prepare.PreparePipeline;
import dev.symmim.pipelines.prepare.PrepareOptions;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.failures.BadInputException;
import dev.symmim.transforms.images.IdxFile;
import dev.symmim.transforms.images.ImageDecoder;
import dev.symmim.transforms.images.ImagePreprocessor;
import dev.symmim.transforms.images.PixelStorage;
import dev.symmim.transforms.images.RasterImage;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * {@code symmim bench prepare}: throughput of the prepare pipeline against a plain single-thread
 * loop doing the same decode + resize + hash on the same inputs, in one run; and the peak RSS of
 * prepare on Fashion-MNIST in a separate JVM with a 1 GiB heap.
 */
public final class PrepareBench {
  private PrepareBench() {}

  public static int run(PrepareBenchOptions o) throws Exception {
    int cores = Runtime.getRuntime().availableProcessors();
    Path work = Path.of(o.getWorkDir()).toAbsolutePath();
    Path fmnist = Path.of(o.getFashionMnist());
    if (!Files.exists(fmnist.resolve("train-images-idx3-ubyte.gz"))) {
      throw new IllegalArgumentException("--fashionMnist=" + fmnist + " has no train-images-idx3-ubyte.gz "
          + "(apt-get install dataset-fashion-mnist)");
    }
    System.out.printf("bench prepare: %d cores, %s, Java %s%n", cores, System.getProperty("os.arch"),
        System.getProperty("java.version"));

    // 1. Fashion-MNIST IDX: 70000 28x28 images -> 32x32.
    double idxLoop = idxLoop(fmnist);
    pipeline(o, BuildInfo.shippedDataset(), work.resolve("idx-small-out")); // warms up the JVM and Flink classes
    double smallPipe = pipeline(o, BuildInfo.shippedDataset(), work.resolve("idx-small-out"));
    double idxPipe = pipeline(o, fmnist, work.resolve("idx-out"));
    double marginal = (70000 - 6000) / (idxPipe - smallPipe);
    System.out.printf("IDX (Fashion-MNIST, 70000 x 28px -> 32px): plain loop %.0f img/s (1 thread); "
        + "pipeline wall %.1f s = %.0f img/s = %.0f img/s per core; without the fixed job cost "
        + "(the same job on 6000 images: %.1f s) %.0f img/s = %.0f img/s per core (target >= 5000/core)%n",
        70000 / idxLoop, idxPipe, 70000 / idxPipe, 70000 / idxPipe / cores, smallPipe, marginal, marginal / cores);

    // 2. Folder of JPEG/PNG files.
    Path folder = work.resolve("folder-" + o.getImages() + "x" + o.getFolderImageSize());
    List<Path> files = makeFolder(fmnist, folder, o.getImages(), o.getFolderImageSize());
    double folderLoop = folderLoop(files);
    double folderPipe = pipeline(o, folder, work.resolve("folder-out"));
    double loopRate = files.size() / folderLoop;
    double pipeRate = files.size() / folderPipe;
    System.out.printf("folder (%d files, %dpx JPEG+PNG -> 32px): plain loop %.0f img/s (1 thread, %.1f s); "
        + "pipeline %.0f img/s (%.1f s, %d cores); pipeline/loop throughput ratio %.2f "
        + "(target >= 0.83, i.e. <= 20%% overhead)%n",
        files.size(), o.getFolderImageSize(), loopRate, folderLoop, pipeRate, folderPipe, cores, pipeRate / loopRate);

    // 3. Peak RSS of prepare on Fashion-MNIST with -Xmx1g, in its own JVM.
    PeakRss.Run rss = peakRss(fmnist, work.resolve("rss-out"));
    System.out.printf("memory: prepare on Fashion-MNIST with -Xmx1g: exit %d, peak RSS %.0f MiB%n", rss.exit(), rss.peakMib());
    return 0;
  }

  /** Seconds for prepare (embedded Flink unless --runner says otherwise), JVM already warm. */
  static double pipeline(PrepareBenchOptions o, Path input, Path out) throws IOException {
    PrepareOptions p = StageOptions.derive(o, PrepareOptions.class);
    p.setInput(input.toString());
    p.setOutput(out.toString());
    p.setOverwrite(true); // the same output again for each timing
    long t0 = System.nanoTime();
    DatasetManifest m = PreparePipeline.run(p);
    double s = (System.nanoTime() - t0) / 1e9;
    if (!m.reconciles()) {
      throw new IllegalStateException("manifest does not reconcile");
    }
    return s;
  }

  /** Seconds to read both IDX files and prepare every image in one thread. */
  static double idxLoop(Path dir) throws IOException, BadInputException {
    ImagePreprocessor pre = new ImagePreprocessor(32, 1, PixelStorage.raw);
    long t0 = System.nanoTime();
    long n = 0;
    for (String prefix : List.of("train", "t10k")) {
      try (InputStream images = Files.newInputStream(dir.resolve(prefix + "-images-idx3-ubyte.gz"));
          InputStream labels = Files.newInputStream(dir.resolve(prefix + "-labels-idx1-ubyte.gz"));
          IdxFile idx = IdxFile.open(images, labels, 1 << 20)) {
        while (idx.hasNext()) {
          IdxFile.Record r = idx.next();
          pre.toExample(prefix + "#" + r.index(), "x", Integer.toString(r.label()), r.label(), "train", r.image());
          n++;
        }
      }
    }
    if (n != 70000) {
      throw new IllegalStateException("read " + n + " IDX images, expected 70000");
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  /** Seconds to read, decode and prepare every file in one thread. */
  static double folderLoop(List<Path> files) throws IOException, BadInputException {
    ImagePreprocessor pre = new ImagePreprocessor(32, 1, PixelStorage.raw);
    ImageDecoder decoder = new ImageDecoder(64L << 20);
    long t0 = System.nanoTime();
    for (Path f : files) {
      byte[] bytes = Files.readAllBytes(f);
      pre.sha256Hex(bytes);
      RasterImage img = decoder.decode(bytes);
      pre.toExample(f.getFileName().toString(), f.toString(), f.getParent().getFileName().toString(), -1, null, img);
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  /** {@code n} files (half JPEG, half PNG) of Fashion-MNIST images upscaled to {@code size}, per class folder. */
  static List<Path> makeFolder(Path fmnist, Path folder, int n, int size) throws IOException, BadInputException {
    Path complete = folder.resolveSibling(folder.getFileName() + ".complete");
    if (!Files.exists(complete)) {
      try (InputStream images = Files.newInputStream(fmnist.resolve("train-images-idx3-ubyte.gz"));
          InputStream labels = Files.newInputStream(fmnist.resolve("train-labels-idx1-ubyte.gz"));
          IdxFile idx = IdxFile.open(images, labels, 1 << 20)) {
        for (int i = 0; i < n && idx.hasNext(); i++) {
          IdxFile.Record r = idx.next();
          RasterImage big = new dev.symmim.transforms.images.ImageResizer(size).resizeAndCrop(r.image());
          BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_3BYTE_BGR);
          for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
              int v = big.pixels()[y * size + x] & 0xff;
              img.setRGB(x, y, v << 16 | (255 - v) / 2 << 8 | v / 2);
            }
          }
          Path dir = folder.resolve("class-" + r.label());
          Files.createDirectories(dir);
          String format = i % 2 == 0 ? "jpg" : "png";
          ImageIO.write(img, format, dir.resolve(String.format("img-%05d.%s", i, format)).toFile());
        }
      }
      Files.writeString(complete, "");
    }
    try (Stream<Path> s = Files.walk(folder)) {
      return new ArrayList<>(s.filter(Files::isRegularFile).sorted().toList());
    }
  }

  /** bin/symmim prepare on Fashion-MNIST with -Xmx1g, its peak RSS measured. */
  static PeakRss.Run peakRss(Path fmnist, Path out) throws IOException, InterruptedException {
    return PeakRss.symmim(List.of("prepare", "--input=" + fmnist, "--output=" + out), "-Xmx1g", null, 3600);
  }
}
