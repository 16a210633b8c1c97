package dev.symmim.pipelines.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.symmim.pipelines.options.Flags;
import dev.symmim.schemas.Embedding;
import dev.symmim.schemas.Example;
import dev.symmim.schemas.PixelEncoding;
import dev.symmim.transforms.dataset.AvroShardWriter;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.dataset.DatasetPaths;
import dev.symmim.transforms.dataset.ShardExamples;
import dev.symmim.transforms.embed.EmbedPlanner;
import dev.symmim.transforms.embed.EmbeddingsManifest;
import dev.symmim.transforms.images.ImagePreprocessor;
import dev.symmim.transforms.images.PixelStorage;
import dev.symmim.transforms.index.SyntheticEmbeddings;
import dev.symmim.transforms.io.Locations;
import dev.symmim.transforms.io.Sha256;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.beam.sdk.io.FileSystems;

/**
 * {@code symmim bench memory}: peak RSS and wall time of {@code evaluate}, {@code index} and
 * {@code embed} as the data grows. For each size N it writes synthetic inputs in the formats the
 * real stages write (an embeddings directory of N random unit vectors with uniform labels, train
 * and val splits; a prepared dataset of N random 32 px grey images and a freshly initialized
 * checkpoint), runs each command as its own {@code bin/symmim} process (embedded Flink, the heap of
 * {@code --javaOpts}) and reads its peak RSS ({@link PeakRss}). Prints a table and writes
 * {@code memory.json} after each point.
 */
public final class MemoryBench {
  static final List<String> COMMANDS = List.of("evaluate", "index", "embed");
  static final int IMAGE_SIZE = 32;
  /** Images of the dataset the synthetic embeddings name (evaluate's report shows a few of its images). */
  static final int REPORT_IMAGES = 200;
  static final double LOAD_UNKNOWN = -1;

  private MemoryBench() {}

  /**
   * One measured command.
   *
   * @param status {@code ok}, {@code failed}, {@code timeout} or {@code skipped}
   * @param peakMib peak RSS of the command's JVM
   * @param load1 the one-minute load average when the command ended
   * @param commandLine the arguments after {@code bin/symmim}
   * @param lastLine the last line of its output (the error of a failed command)
   */
  public record Point(String command, int size, String status, int exit, double peakMib, double seconds,
      double load1, String commandLine, String lastLine) {}

  public static int run(MemoryBenchOptions o) throws Exception {
    List<Integer> sizes = sizes(o.getSizes());
    List<String> commands = commands(o.getCommands());
    validate(o);
    FileSystems.setDefaultPipelineOptions(o);
    Path work = Path.of(o.getOutput()).toAbsolutePath();
    Files.createDirectories(work.resolve("logs"));
    String heap = o.getJavaOpts().isBlank()
        ? String.format("JVM default heap (max %.1f GB in this JVM)", Runtime.getRuntime().maxMemory() / 1e9)
        : "SYMMIM_JAVA_OPTS=" + o.getJavaOpts();
    System.out.printf("bench memory: sizes %s, commands %s, %d-d vectors, %d cores, %.1f GB memory, Java %s, %s, "
        + "load average %.2f%n", sizes, commands, o.getVectorDim(), Runtime.getRuntime().availableProcessors(),
        memTotalKib() / 1048576.0, System.getProperty("java.version"), heap, IndexBench.load());
    List<Point> points = new ArrayList<>();
    for (int n : sizes) {
      for (String command : commands) {
        Point p = measure(o, work, command, n);
        points.add(p);
        System.out.printf("bench memory: %-8s N=%-8d %-7s peak RSS %6.0f MiB, %7.1f s wall, load %.1f%s%n", command, n,
            p.status(), p.peakMib(), p.seconds(), p.load1(), p.status().equals("ok") ? "" : " (" + p.lastLine() + ")");
        writeJson(work.resolve("memory.json"), o, heap, points);
      }
    }
    System.out.print(table(points));
    System.out.println("bench memory: results " + work.resolve("memory.json"));
    return 0;
  }

  static void validate(MemoryBenchOptions o) {
    Flags.check(o.getVectorDim() >= 1, "vectorDim", o.getVectorDim(), "must be >= 1");
    Flags.check(o.getMaxQueries() >= 1, "maxQueries", o.getMaxQueries(), "must be >= 1");
    Flags.check(o.getClasses() >= 2, "classes", o.getClasses(), "must be >= 2");
    Flags.check(o.getTimeoutMinutes() >= 1, "timeoutMinutes", o.getTimeoutMinutes(), "must be >= 1");
    Flags.check(o.getDim() >= 2 && o.getDim() % 2 == 0, "dim", o.getDim(), "must be even and >= 2 (2 heads)");
    Flags.check(o.getDepth() >= 1, "depth", o.getDepth(), "must be >= 1");
  }

  /** The sizes of {@code --sizes}: comma-separated integers, each at least 20 (so both splits have a vector). */
  static List<Integer> sizes(String csv) {
    List<Integer> out = Arrays.stream(IndexBench.ints(csv, "sizes")).boxed().toList();
    for (int n : out) {
      Flags.check(n >= 20, "sizes", csv, "must all be >= 20");
    }
    return out;
  }

  /** The commands of {@code --commands}, each one of {@link #COMMANDS}. */
  static List<String> commands(String csv) {
    List<String> out = Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    Flags.check(!out.isEmpty(), "commands", csv, "must name at least one of " + String.join(", ", COMMANDS));
    for (String c : out) {
      Flags.check(COMMANDS.contains(c), "commands", csv, "must be among " + String.join(", ", COMMANDS));
    }
    return out;
  }

  /** Vectors (or images) of the val split of a size-{@code n} set: {@code min(n / 10, maxQueries)}, at least 1. */
  static int queries(int n, int maxQueries) {
    return Math.max(1, Math.min(n / 10, maxQueries));
  }

  /** Whether item {@code i} of {@code n} is in the val split: {@code queries} of them, spread evenly. */
  static boolean isVal(long i, long n, long queries) {
    return (i + 1) * queries / n > i * queries / n;
  }

  static Point measure(MemoryBenchOptions o, Path work, String command, int n) throws Exception {
    int queries = queries(n, o.getMaxQueries());
    Path output = work.resolve("runs").resolve(command + "-" + n);
    Locations.deleteTree(output);
    List<String> args = new ArrayList<>(List.of(command));
    switch (command) {
      case "evaluate", "index" -> {
        Path embeddings = work.resolve("inputs").resolve("embeddings-" + n + "-d" + o.getVectorDim());
        if (!Files.exists(embeddings.resolve(EmbeddingsManifest.FILE_NAME))) {
          // The report of evaluate shows a few images of the embeddings' dataset: a small one stands in.
          Path images = work.resolve("inputs").resolve("images-" + REPORT_IMAGES);
          if (!Files.exists(images.resolve(DatasetManifest.FILE_NAME))) {
            writeImages(images, REPORT_IMAGES, queries(REPORT_IMAGES, o.getMaxQueries()), o.getClasses(), o.getDataSeed());
          }
          System.out.printf("bench memory: writing %d random %d-d unit vectors (%d val) to %s%n", n, o.getVectorDim(),
              queries, embeddings);
          writeEmbeddings(embeddings, n, queries, o.getVectorDim(), o.getClasses(), o.getDataSeed(), images);
        }
        args.add("--embeddings=" + embeddings);
        args.add("--output=" + output);
        if (command.equals("evaluate")) {
          args.add("--baselines=false");
        }
        args.addAll(flags(command.equals("evaluate") ? o.getEvaluateFlags() : o.getIndexFlags()));
      }
      case "embed" -> {
        if (n > o.getEmbedMaxImages()) {
          return new Point(command, n, "skipped", 0, 0, 0, IndexBench.load(), "",
              "over --embedMaxImages=" + o.getEmbedMaxImages());
        }
        Path data = work.resolve("inputs").resolve("images-" + n);
        if (!Files.exists(data.resolve(DatasetManifest.FILE_NAME))) {
          System.out.printf("bench memory: writing %d random %d px grey images (%d val) to %s%n", n, IMAGE_SIZE, queries,
              data);
          writeImages(data, n, queries, o.getClasses(), o.getDataSeed());
        }
        Path ckpt = work.resolve("inputs").resolve("checkpoint-d" + o.getDim() + "-l" + o.getDepth());
        if (!Files.exists(ckpt)) {
          EmbedBench.freshCheckpoint(DatasetManifest.readFrom(data.toString()), o.getDim(), o.getDepth(), ckpt);
        }
        args.add("--data=" + data);
        args.add("--checkpoint=" + ckpt);
        args.add("--output=" + output);
      }
      default -> throw new IllegalArgumentException("unknown command " + command);
    }
    Path log = work.resolve("logs").resolve(command + "-" + n + ".log");
    System.out.println("bench memory: bin/symmim " + String.join(" ", args));
    PeakRss.Run r = PeakRss.symmim(args, o.getJavaOpts(), log, o.getTimeoutMinutes() * 60L);
    String status = r.exit() == 0 ? "ok" : r.exit() < 0 ? "timeout" : "failed";
    return new Point(command, n, status, r.exit(), r.peakMib(), r.seconds(), IndexBench.load(), String.join(" ", args),
        lastLine(log));
  }

  /** Space-separated flags; none for a blank string. */
  static List<String> flags(String s) {
    return s.isBlank() ? List.of() : List.of(s.trim().split("\\s+"));
  }

  /**
   * Writes an embeddings directory as {@code symmim embed} does: {@code n} random unit vectors of
   * length {@code dim} (ids {@code e0000000}...), labels uniform over {@code classes}, {@code queries}
   * of them in split {@code val} and the rest in {@code train}, in Avro parts of at most
   * {@link EmbedPlanner#EMBEDDINGS_PER_SHARD} records, streamed (nothing held in memory); the manifest
   * names {@code dataset} (a prepared dataset directory) as the images they came from.
   */
  static EmbeddingsManifest writeEmbeddings(Path dir, int n, int queries, int dim, int classes, long seed, Path dataset)
      throws IOException {
    int parts = Math.max(1, (n + EmbedPlanner.EMBEDDINGS_PER_SHARD - 1) / EmbedPlanner.EMBEDDINGS_PER_SHARD);
    Random random = new Random(seed);
    List<DatasetManifest.Shard> shards = new ArrayList<>();
    long val = 0;
    for (int p = 0; p < parts; p++) {
      String path = String.format("%s/part-%05d-of-%05d.avro", EmbeddingsManifest.EMBEDDINGS_DIR, p, parts);
      try (AvroShardWriter<Embedding> w = AvroShardWriter.open(DatasetPaths.resolve(dir.toString(), path),
          Embedding.getClassSchema())) {
        for (long i = (long) n * p / parts; i < (long) n * (p + 1) / parts; i++) {
          boolean isVal = isVal(i, n, queries);
          val += isVal ? 1 : 0;
          int label = random.nextInt(classes);
          w.append(Embedding.newBuilder().setId(SyntheticEmbeddings.id((int) i)).setSplit(isVal ? "val" : "train")
              .setLabel(label).setLabelName(className(label)).setVector(unitVector(random, dim))
              .setModelId(IndexBench.MODEL).build());
        }
        AvroShardWriter.Written written = w.commit();
        shards.add(new DatasetManifest.Shard(path, written.records(), written.bytes(), written.sha256()));
      }
    }
    ObjectNode config = DatasetManifest.json().createObjectNode();
    config.put("generator", "symmim bench memory: random unit vectors, uniform labels");
    config.put("seed", seed);
    Map<String, Long> splits = new LinkedHashMap<>();
    splits.put("train", n - val);
    splits.put("val", val);
    String datasetSha = Sha256.of(Files.readAllBytes(dataset.resolve(DatasetManifest.FILE_NAME)));
    EmbeddingsManifest m = new EmbeddingsManifest(IndexBench.MODEL, dim, "online", null, dataset.toString(), datasetSha, n, 0,
        splits, shards, List.of(), null, classNames(classes), config);
    m.writeTo(dir.toString());
    return m;
  }

  /**
   * Writes a prepared dataset as {@code symmim prepare} does (raw storage, shards of at most 128 MiB
   * per split, the manifest last): {@code n} grey {@value #IMAGE_SIZE} px images of uniform random
   * pixels, labels uniform over {@code classes}, {@code queries} of them in split {@code val}.
   */
  static DatasetManifest writeImages(Path dir, int n, int queries, int classes, long seed) throws IOException {
    ImagePreprocessor hasher = new ImagePreprocessor(IMAGE_SIZE, 1, PixelStorage.raw);
    Random random = new Random(seed);
    Map<String, DatasetManifest.Split> splits = new LinkedHashMap<>();
    for (String split : List.of("train", "val")) {
      long records = split.equals("val") ? queries : n - queries;
      int shards = (int) Math.max(1, (records * IMAGE_SIZE * IMAGE_SIZE + (128L << 20) - 1) / (128L << 20));
      long[] counts = new long[classes];
      List<DatasetManifest.Shard> written = new ArrayList<>();
      long next = 0; // index among all n images of the next one of this split
      for (int s = 0; s < shards; s++) {
        String path = ShardExamples.shardPath(split, s, shards);
        try (AvroShardWriter<Example> w = AvroShardWriter.open(DatasetPaths.resolve(dir.toString(), path),
            Example.getClassSchema())) {
          for (long j = records * s / shards; j < records * (s + 1) / shards; j++) {
            while (isVal(next, n, queries) != split.equals("val")) {
              next++;
            }
            byte[] pixels = new byte[IMAGE_SIZE * IMAGE_SIZE];
            random.nextBytes(pixels);
            int label = random.nextInt(classes);
            counts[label]++;
            w.append(Example.newBuilder().setId(String.format("img%07d", next)).setSource("synthetic").setSplit(split)
                .setLabel(label).setLabelName(className(label)).setHeight(IMAGE_SIZE).setWidth(IMAGE_SIZE)
                .setChannels(1).setEncoding(PixelEncoding.RAW).setPixels(ByteBuffer.wrap(pixels))
                .setContentHash(hasher.sha256Hex(pixels)).build());
            next++;
          }
          AvroShardWriter.Written c = w.commit();
          written.add(new DatasetManifest.Shard(path, c.records(), c.bytes(), c.sha256()));
        }
      }
      Map<String, Long> classCounts = new LinkedHashMap<>();
      for (int c = 0; c < classes; c++) {
        classCounts.put(className(c), counts[c]);
      }
      splits.put(split, new DatasetManifest.Split(records, classCounts, written));
    }
    // Uniform bytes: mean 127.5 / 255, standard deviation 73.9 / 255.
    DatasetManifest m = new DatasetManifest(n, 0, 0, splits, classNames(classes), IMAGE_SIZE, 1, "raw",
        new double[] {0.5}, new double[] {0.2898}, null);
    m.writeTo(dir.toString());
    return m;
  }

  static List<Float> unitVector(Random random, int dim) {
    double[] v = new double[dim];
    double norm = 0;
    for (int i = 0; i < dim; i++) {
      v[i] = random.nextGaussian();
      norm += v[i] * v[i];
    }
    double scale = 1 / Math.sqrt(norm);
    List<Float> out = new ArrayList<>(dim);
    for (double x : v) {
      out.add((float) (x * scale));
    }
    return out;
  }

  static String className(int label) {
    return "class-" + label;
  }

  static List<String> classNames(int classes) {
    List<String> out = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      out.add(className(c));
    }
    return out;
  }

  /** The points as a text table, one row per size, one column pair per command. */
  static String table(List<Point> points) {
    StringBuilder out = new StringBuilder(String.format("%n%-10s %-9s %-8s %12s %10s %6s%n", "N", "command", "status",
        "peak RSS MiB", "wall s", "load"));
    for (Point p : points) {
      out.append(String.format("%-10d %-9s %-8s %12.0f %10.1f %6.1f%n", p.size(), p.command(), p.status(), p.peakMib(),
          p.seconds(), p.load1()));
    }
    return out.toString();
  }

  static void writeJson(Path file, MemoryBenchOptions o, String heap, List<Point> points) throws IOException {
    ObjectNode root = DatasetManifest.json().createObjectNode();
    root.put("benchmark", "symmim bench memory");
    root.put("cores", Runtime.getRuntime().availableProcessors());
    root.put("memTotalMiB", memTotalKib() / 1024);
    root.put("java", System.getProperty("java.version"));
    root.put("heap", heap);
    root.put("vectorDim", o.getVectorDim());
    root.put("maxQueries", o.getMaxQueries());
    root.put("embedModel", "ViT dim " + o.getDim() + " depth " + o.getDepth() + ", patch 4, " + IMAGE_SIZE + " px grey");
    ArrayNode rows = root.putArray("points");
    points.forEach(p -> rows.add(DatasetManifest.json().valueToTree(p)));
    Files.writeString(file, DatasetManifest.json().writeValueAsString(root) + "\n", StandardCharsets.UTF_8);
  }

  /** MemTotal of {@code /proc/meminfo} in KiB (0 where there is none). */
  static long memTotalKib() {
    return PeakRss.procKib(Path.of("/proc/meminfo"), "MemTotal");
  }

  static String lastLine(Path log) throws IOException {
    List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
    for (int i = lines.size() - 1; i >= 0; i--) {
      if (!lines.get(i).isBlank()) {
        return lines.get(i).strip();
      }
    }
    return "";
  }
}
