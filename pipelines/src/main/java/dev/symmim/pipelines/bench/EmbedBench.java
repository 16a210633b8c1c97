package dev.symmim.pipelines.bench;

import dev.symmim.pipelines.options.EvaluationOptions;
import dev.symmim.model.config.Schedule;
import dev.symmim.model.config.Optimisation;
import dev.symmim.model.config.Normalization;
import dev.symmim.model.config.ContrastiveHeads;
import dev.symmim.pipelines.runner.StageOptions;
import dev.symmim.pipelines.runner.RunnerDefaults;
import dev.symmim.pipelines.runner.Jobs;
import dev.symmim.pipelines.prepare.PreparePipeline;
import dev.symmim.pipelines.prepare.PrepareOptions;
import dev.symmim.pipelines.embed.EmbedPipeline;
import dev.symmim.pipelines.embed.EmbedOptions;
import dev.symmim.model.config.DeviceKind;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.model.infer.Branch;
import dev.symmim.model.infer.EmbeddingPredictor;
import dev.symmim.model.runtime.TorchRuntime;
import dev.symmim.model.train.SymMimTrainer;
import dev.symmim.model.vit.VitSpec;
import dev.symmim.schemas.Embedding;
import dev.symmim.schemas.Example;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.dataset.DatasetPaths;
import dev.symmim.transforms.training.Checkpoints;
import dev.symmim.transforms.embed.EmbeddingsManifest;
import dev.symmim.transforms.evaluate.ExactKnn;
import dev.symmim.transforms.evaluate.KnnAccuracy;
import dev.symmim.transforms.evaluate.KnnCounts;
import dev.symmim.transforms.evaluate.NearestNeighbors;
import dev.symmim.transforms.images.ImagePreprocessor;
import dev.symmim.transforms.images.RasterImage;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;

/**
 * {@code symmim bench embed}: images/s of the {@code embed} stage (embedded Flink) against the
 * model-only forward pass over the same batches in memory, interleaved in one JVM (model, stage,
 * model); then the distributed k-NN of {@code evaluate} against the plain in-memory exact k-NN on
 * the embeddings just written (same answers required).
 */
public final class EmbedBench {
  private EmbedBench() {}

  public static int run(EmbedBenchOptions o) throws Exception {
    int cores = Runtime.getRuntime().availableProcessors();
    Path work = Path.of(o.getWorkDir()).toAbsolutePath();
    Files.createDirectories(work);
    FileSystems.setDefaultPipelineOptions(o);
    System.out.printf("bench embed: %d cores, %s, Java %s, load average %.2f at start%n", cores,
        System.getProperty("os.arch"), System.getProperty("java.version"),
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    String data = o.getData();
    if (data == null) {
      data = work.resolve("fashion-mnist").toString();
      if (!Files.exists(Path.of(data, DatasetManifest.FILE_NAME))) {
        PrepareOptions p = StageOptions.derive(o, PrepareOptions.class);
        p.setInput(o.getFashionMnist());
        p.setOutput(data);
        PreparePipeline.run(p);
      }
    }
    DatasetManifest m = DatasetManifest.readFrom(data);
    Path ckpt = o.getCheckpoint() != null ? Checkpoints.resolve(o.getCheckpoint()) : work.resolve("checkpoint");
    if (o.getCheckpoint() == null) {
      freshCheckpoint(m, o.getDim(), o.getDepth(), ckpt);
    }
    List<byte[]> batches = batches(data, m, o.getBatchSize());
    long images = m.records();
    int parallel = Math.max(1, cores / RunnerDefaults.inferenceThreads(o));
    System.out.printf("bench embed: %d images of %dpx in %d batches of %d; model %s; %d inference workers x %d threads%n",
        images, m.imageSize(), batches.size(), o.getBatchSize(), Checkpoints.shared(ckpt).config().encoder(), parallel,
        RunnerDefaults.inferenceThreads(o));

    double model1 = modelOnly(ckpt, batches, m, parallel, RunnerDefaults.inferenceThreads(o));
    EmbedOptions e = StageOptions.derive(o, EmbedOptions.class);
    e.setData(data);
    e.setCheckpoint(ckpt.toString());
    e.setOutput(work.resolve("embeddings").toString());
    e.setBatchSize(o.getBatchSize());
    long t0 = System.nanoTime();
    EmbeddingsManifest written = EmbedPipeline.run(e);
    double stage = (System.nanoTime() - t0) / 1e9;
    double model2 = modelOnly(ckpt, batches, m, parallel, RunnerDefaults.inferenceThreads(o));
    double model = (model1 + model2) / 2;
    System.out.printf("embed: model-only forward %.0f img/s (runs: %.1f s, %.1f s); stage (embedded Flink, wall incl. "
        + "job start-up, reading, decoding, writing Avro + Vertex JSON) %.0f img/s (%.1f s); stage/model throughput "
        + "ratio %.2f (goal >= 0.90)%n", images / model, model1, model2, written.records() / stage, stage, model / stage);

    // The same job on one split only: the difference of the two wall times is what the extra images
    // cost, without the job's fixed part (start-up, planning, the last grouping and file commits).
    String smallest = m.splits().entrySet().stream().min(java.util.Map.Entry.comparingByValue(
        java.util.Comparator.comparingLong(DatasetManifest.Split::records))).orElseThrow().getKey();
    Path part = subset(Path.of(data), m, smallest, work.resolve("one-split"));
    e.setData(part.toString());
    e.setOutput(work.resolve("embeddings-" + smallest).toString());
    long t1 = System.nanoTime();
    EmbeddingsManifest small = EmbedPipeline.run(e);
    double smallSeconds = (System.nanoTime() - t1) / 1e9;
    double marginal = (written.records() - small.records()) / (stage - smallSeconds);
    System.out.printf("embed: same job on the %s split only: %d images in %.1f s; marginal stage throughput (%d more "
        + "images in %.1f s more) %.0f img/s; marginal stage/model throughput ratio %.2f (goal >= 0.90)%n", smallest,
        small.records(), smallSeconds, written.records() - small.records(), stage - smallSeconds, marginal,
        marginal / (images / model));

    knn(o, work.resolve("embeddings"), written);
    return 0;
  }

  /**
   * Saves a freshly initialized SymMIM model for {@code m}'s images (patch 4, ViT of width {@code dim}
   * and depth {@code depth}, the dataset's channel moments) as a checkpoint at {@code ckpt}: what
   * embed's speed and memory depend on, without training.
   */
  static void freshCheckpoint(DatasetManifest m, int dim, int depth, Path ckpt) throws Exception {
    float[] mean = new float[m.channels()];
    float[] std = new float[m.channels()];
    for (int c = 0; c < m.channels(); c++) {
      mean[c] = (float) m.channelMean()[c];
      std[c] = (float) m.channelStd()[c];
    }
    PretrainConfig config = PretrainConfig.of(new VitSpec(m.imageSize(), 4, m.channels(), dim, depth, 2, 4))
        .withHeads(new ContrastiveHeads(256, 64, 256)).withOptimisation(Optimisation.pretraining().withBatch(2, 1.5e-4))
        .withSchedule(Schedule.epochs(1, 1)).withNormalization(new Normalization(mean, std));
    try (SymMimTrainer t = new SymMimTrainer(config)) {
      t.save(ckpt);
    }
  }

  /** A dataset directory holding only {@code split} of {@code data} (its shards linked, its manifest cut down). */
  static Path subset(Path data, DatasetManifest m, String split, Path dir) throws Exception {
    Files.createDirectories(dir);
    DatasetManifest.Split only = m.splits().get(split);
    for (DatasetManifest.Shard s : only.shards()) {
      Path link = dir.resolve(s.path());
      Files.createDirectories(link.getParent());
      Files.deleteIfExists(link);
      Files.createSymbolicLink(link, data.resolve(s.path()).toAbsolutePath());
    }
    new DatasetManifest(only.records(), 0, 0, java.util.Map.of(split, only), m.classes(), m.imageSize(), m.channels(),
        m.storage(), m.channelMean(), m.channelStd(), m.config()).writeTo(dir.toString());
    return dir;
  }

  /** Every image of the dataset as uint8 HWC, concatenated per batch, in shard order. */
  static List<byte[]> batches(String data, DatasetManifest m, int batchSize) throws Exception {
    List<byte[]> out = new ArrayList<>();
    java.io.ByteArrayOutputStream batch = new java.io.ByteArrayOutputStream();
    int inBatch = 0;
    for (DatasetManifest.Split split : m.splits().values()) {
      for (DatasetManifest.Shard s : split.shards()) {
        try (InputStream in = Channels.newInputStream(FileSystems.open(DatasetPaths.resolve(data, s.path())));
            DataFileStream<Example> r = new DataFileStream<>(in, new SpecificDatumReader<>(Example.class))) {
          for (Example ex : r) {
            RasterImage img = ImagePreprocessor.rawPixels(ex);
            batch.write(img.pixels());
            if (++inBatch == batchSize) {
              out.add(batch.toByteArray());
              batch.reset();
              inBatch = 0;
            }
          }
        }
      }
    }
    if (inBatch > 0) {
      out.add(batch.toByteArray());
    }
    return out;
  }

  /** Seconds for {@code workers} threads, each with its own predictor, to embed every batch once. */
  static double modelOnly(Path ckpt, List<byte[]> batches, DatasetManifest m, int workers, int threads) throws Exception {
    TorchRuntime.configureThreads(threads, 0);
    int per = m.imageSize() * m.imageSize() * m.channels();
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    AtomicReference<Throwable> error = new AtomicReference<>();
    List<EmbeddingPredictor> predictors = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      predictors.add(new EmbeddingPredictor(Checkpoints.shared(ckpt), Branch.ONLINE, TorchRuntime.device(DeviceKind.AUTO)));
    }
    predictors.get(0).embed(batches.get(0), batches.get(0).length / per); // warm-up
    long t0 = System.nanoTime();
    List<Future<?>> jobs = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      int worker = w;
      jobs.add(pool.submit(() -> {
        TorchRuntime.configureThreads(threads, 0); // torch's intra-op setting is per calling thread (OpenMP)
        for (int b = worker; b < batches.size(); b += workers) {
          predictors.get(worker).embed(batches.get(b), batches.get(b).length / per);
        }
      }));
    }
    for (Future<?> f : jobs) {
      f.get();
    }
    double s = (System.nanoTime() - t0) / 1e9;
    pool.shutdown();
    predictors.forEach(EmbeddingPredictor::close);
    if (error.get() != null) {
      throw new IllegalStateException(error.get());
    }
    return s;
  }

  /** The evaluate stage's distributed k-NN vs the in-memory exact one on the same embeddings. */
  static void knn(EmbedBenchOptions o, Path dir, EmbeddingsManifest m) throws Exception {
    List<Embedding> all = new ArrayList<>();
    for (DatasetManifest.Shard s : m.shards()) {
      try (DataFileReader<Embedding> r = new DataFileReader<>(dir.resolve(s.path()).toFile(),
          new SpecificDatumReader<>(Embedding.class))) {
        r.forEach(all::add);
      }
    }
    int[] ks = {20, 200};
    int classes = m.classes().size();
    long t0 = System.nanoTime();
    KnnCounts exact = ExactKnn.accuracy(ExactKnn.neighbors(all, "train", "val", 200), ks, 0.07, classes);
    double exactSeconds = (System.nanoTime() - t0) / 1e9;

    EvaluationOptions eo = StageOptions.derive(o, EvaluationOptions.class); // its default --blockRows
    Pipeline p = Pipeline.create(eo);
    long bank = m.splits().get("train");
    long queries = m.splits().get("val");
    p.apply(Create.of(all).withCoder(AvroCoder.of(Embedding.class)))
        .apply(NearestNeighbors.of("train", "val", 200, NearestNeighbors.blocksFor(bank, eo.getBlockRows()),
            NearestNeighbors.blocksFor(queries, eo.getBlockRows())))
        .apply(KnnAccuracy.of(ks, 0.07, classes))
        .apply(ParDo.of(new CheckFn(exact)))
        .setCoder(SerializableCoder.of(String.class));
    long t1 = System.nanoTime();
    Jobs.run(p, "bench knn");
    double beamSeconds = (System.nanoTime() - t1) / 1e9;
    System.out.printf("knn: %d queries x %d bank x %d dims, k=200: in-memory exact (1 thread) %.1f s; evaluate's blocked "
        + "k-NN on embedded Flink (%d x %d blocks of <= %d rows, incl. job start-up) %.1f s; time ratio %.2f; "
        + "identical top-1/top-5 counts (k=20 top-1 %.2f%%)%n", queries, bank, m.dim(), exactSeconds,
        NearestNeighbors.blocksFor(queries, eo.getBlockRows()), NearestNeighbors.blocksFor(bank, eo.getBlockRows()),
        eo.getBlockRows(), beamSeconds, beamSeconds / exactSeconds, 100 * exact.top1Accuracy(0));
  }

  /** Fails the job unless the distributed counts equal the exact ones. */
  static class CheckFn extends DoFn<KnnCounts, String> {
    private final KnnCounts exact;

    CheckFn(KnnCounts exact) {
      this.exact = exact;
    }

    @ProcessElement
    public void process(@Element KnnCounts c, OutputReceiver<String> out) {
      if (c.queries() != exact.queries() || !java.util.Arrays.equals(c.top1(), exact.top1())
          || !java.util.Arrays.equals(c.top5(), exact.top5())) {
        throw new IllegalStateException("distributed k-NN differs from the exact one");
      }
      out.output("ok");
    }
  }
}
