package dev.symmim.model.finetune;

import dev.symmim.model.augment.FloatImage;
import dev.symmim.model.augment.SymMimViews;
import dev.symmim.model.config.DeviceKind;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.model.random.SeededRandom;
import dev.symmim.model.runtime.TorchRuntime;
import dev.symmim.model.train.StepResult;
import dev.symmim.model.train.SymMimTrainer;
import dev.symmim.model.vit.VitSpec;
import com.google.gson.Gson;
import dev.symmim.model.checkpoint.Checkpoint;
import dev.symmim.model.infer.Branch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * The label-efficiency experiment of METHOD.md section 6 on Fashion-MNIST, as a plain main (not a
 * test). Subcommands:
 *
 * <pre>
 * pretrain --out DIR [--epochs 5] [--saveEpochs 1,3,5] [--seed 0]
 *     SymMIM with the README's short CPU recipe; checkpoints under DIR/epoch-E
 * finetune --init scratch|CKPT_DIR [--branch online|momentum] --pool calib|full
 *     (--fraction F | --perClass K) [--seed S] [--lr BASE] [--batch B] [--steps T | --epochs E]
 *     [--warmup FRACTION] [--layerDecay D] [--minScale S] [--flip true] [--dropPath P]
 *     [--smoothing S] [--pooling CLS|MEAN_PATCH] [--clip C] [--wd W] [--results FILE] [--name N]
 *     one fine-tuning run; prints and appends one JSON line to --results
 * batch --runs FILE [common flags]
 *     one run per line of FILE (flags as for finetune, overriding the common ones), data and
 *     checkpoints loaded once
 * </pre>
 *
 * <p>Pools: {@code full} draws the labelled subset from all 60,000 train images
 * ({@link LabelSubsets#byFraction}: 1% = 60 per class) and evaluates on the 10,000 test images;
 * {@code calib} (for choosing the recipe without touching the test set) holds out a fixed
 * class-balanced 10,000 train images (1,000 per class, seed 12345) as the validation set,
 * draws the labelled subset from the other 50,000 ({@code --perClass}) and evaluates on the
 * held-out 10,000. Data order: the labelled subset is one endless stream of per-epoch seeded
 * permutations cut into batches (no example dropped); view {@code (seed, epoch, index)}.
 *
 * Launch with 1 torch thread, {@code -Dai.djl.offline=true} and the malloc variables of
 * {@code bin/symmim}.
 */
public final class FineTuneExperiment {
  private FineTuneExperiment() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      throw new IllegalArgumentException("usage: FineTuneExperiment pretrain|finetune --flag value ...");
    }
    Map<String, String> flags = flags(args);
    switch (args[0]) {
      case "pretrain" -> pretrain(flags);
      case "finetune" -> runAll(List.of(flags), flags);
      case "batch" -> {
        List<Map<String, String>> runs = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(required(flags, "runs")))) {
          if (!line.isBlank() && !line.startsWith("#")) {
            Map<String, String> run = new HashMap<>(flags);
            run.remove("runs");
            run.putAll(flags(("x " + line.trim()).split("\\s+")));
            runs.add(run);
          }
        }
        runAll(runs, flags);
      }
      default -> throw new IllegalArgumentException("unknown subcommand " + args[0]);
    }
  }

  // ---- pretraining ----

  /** README's recommended short CPU recipe (dim 64, depth 4, heads 4, patch 4, 1024/256 heads, batch 64). */
  static PretrainConfig pretrainConfig(int epochs, long stepsPerEpoch, float[] mean, float[] std, long seed) {
    return PretrainConfig.builder()
        .encoder(new VitSpec(FashionMnist.SIZE, 4, 1, 64, 4, 4, 4))
        .heads(1024, 256, 1024)
        .batchSize(64)
        .baseLearningRate(1.5e-3)
        .epochs(epochs, stepsPerEpoch)
        .warmupSteps(Math.round(0.25 * stepsPerEpoch))
        .momentum(0.996, 1.0)
        .view1MinScale(0.5)
        .view2MinScale(0.5)
        .channelStats(mean, std)
        .seed(seed)
        .device(DeviceKind.CPU)
        .threads(1, 1)
        .build();
  }

  private static void pretrain(Map<String, String> flags) throws Exception {
    Path out = Path.of(required(flags, "out"));
    int epochs = Integer.parseInt(flags.getOrDefault("epochs", "5"));
    long seed = Long.parseLong(flags.getOrDefault("seed", "0"));
    TreeSet<Integer> saveEpochs = new TreeSet<>();
    for (String e : flags.getOrDefault("saveEpochs", "1,3," + epochs).split(",")) {
      saveEpochs.add(Integer.parseInt(e.trim()));
    }
    long t0 = System.nanoTime();
    FashionMnist.Split train = FashionMnist.train(dataDir(flags));
    float[][] stats = FashionMnist.channelStats(train.images());
    int batch = 64;
    long stepsPerEpoch = train.size() / batch;
    PretrainConfig config = pretrainConfig(epochs, stepsPerEpoch, stats[0], stats[1], seed);
    System.out.printf("data %d images in %.1f s, mean %.5f std %.5f; %d steps/epoch, %d steps%n", train.size(),
        (System.nanoTime() - t0) / 1e9, stats[0][0], stats[1][0], stepsPerEpoch, config.totalSteps());
    SymMimViews views = SymMimViews.of(config);
    int per = FashionMnist.SIZE * FashionMnist.SIZE;
    long start = System.nanoTime();
    try (SymMimTrainer trainer = new SymMimTrainer(config)) {
      double lossSum = 0;
      int lossCount = 0;
      long windowStart = System.nanoTime();
      int[] perm = null;
      for (long step = 0; step < config.totalSteps(); step++) {
        long epoch = step / stepsPerEpoch;
        if (step % stepsPerEpoch == 0) {
          perm = epochPermutation(seed, train.size(), epoch);
        }
        int offset = (int) (step % stepsPerEpoch) * batch;
        float[] v1 = new float[batch * per];
        float[] v2 = new float[batch * per];
        for (int b = 0; b < batch; b++) {
          int index = perm[offset + b];
          FloatImage img = train.images()[index];
          SeededRandom rng = SeededRandom.forSample(seed, epoch, index);
          System.arraycopy(views.view1(img, rng), 0, v1, b * per, per);
          System.arraycopy(views.view2(img, rng), 0, v2, b * per, per);
        }
        StepResult r = trainer.step(v1, v2);
        lossSum += r.loss();
        lossCount++;
        if ((step + 1) % 100 == 0 || step == 0) {
          double secs = (System.nanoTime() - windowStart) / 1e9;
          System.out.printf("step %d/%d epoch %d loss(mean %d) %.4f last: %s | %.1f img/s | %.0f s%n", step + 1,
              config.totalSteps(), epoch + 1, lossCount, lossSum / lossCount, r, lossCount * batch / secs,
              (System.nanoTime() - start) / 1e9);
          lossSum = 0;
          lossCount = 0;
          windowStart = System.nanoTime();
        }
        if ((step + 1) % stepsPerEpoch == 0 && saveEpochs.contains((int) epoch + 1)) {
          Path dir = out.resolve("epoch-" + (epoch + 1));
          trainer.save(dir);
          System.out.printf("saved %s at step %d, %.0f s%n", dir, step + 1, (System.nanoTime() - start) / 1e9);
        }
      }
    }
    System.out.printf("pretrain done: %.1f s%n", (System.nanoTime() - start) / 1e9);
  }

  // ---- fine-tuning ----

  private static final long VALIDATION_SEED = 12345;
  private static final int CLASSES = 10;

  /** Train and evaluation data of one pool. */
  private record Pool(FloatImage[] images, int[] labels, int[] candidates, float[] evalImages, int[] evalLabels) {}

  private static void runAll(List<Map<String, String>> runs, Map<String, String> common) throws Exception {
    long t0 = System.nanoTime();
    FashionMnist.Split train = FashionMnist.train(dataDir(common));
    FashionMnist.Split test = FashionMnist.test(dataDir(common));
    float[][] stats = FashionMnist.channelStats(train.images());
    System.out.printf("data loaded in %.1f s; mean %.5f std %.5f%n", (System.nanoTime() - t0) / 1e9, stats[0][0],
        stats[1][0]);
    Map<String, Pool> pools = new HashMap<>();
    Map<String, Checkpoint> checkpoints = new HashMap<>();
    for (Map<String, String> run : runs) {
      String poolName = run.getOrDefault("pool", "calib");
      Pool pool = pools.computeIfAbsent(poolName, n -> pool(n, train, test));
      String init = required(run, "init");
      Checkpoint ckpt = null;
      if (!init.equals("scratch")) {
        ckpt = checkpoints.get(init);
        if (ckpt == null) {
          ckpt = Checkpoint.load(Path.of(init));
          checkpoints.put(init, ckpt);
        }
      }
      finetune(run, pool, ckpt, stats);
    }
  }

  private static Pool pool(String name, FashionMnist.Split train, FashionMnist.Split test) {
    FineTuneViews evalViews = new FineTuneViews(FashionMnist.SIZE, new FineTuneConfig.Augmentation(1, false));
    if (name.equals("full")) {
      int[] all = new int[train.size()];
      for (int i = 0; i < all.length; i++) {
        all[i] = i;
      }
      return new Pool(train.images(), train.labels(), all, evalViews.evalBatch(test.images(), 0, test.size()),
          test.labels());
    }
    if (!name.equals("calib")) {
      throw new IllegalArgumentException("--pool must be calib or full, got " + name);
    }
    int[] validation = LabelSubsets.perClass(train.labels(), CLASSES, 1000, VALIDATION_SEED);
    boolean[] held = new boolean[train.size()];
    FloatImage[] valImages = new FloatImage[validation.length];
    int[] valLabels = new int[validation.length];
    for (int i = 0; i < validation.length; i++) {
      held[validation[i]] = true;
      valImages[i] = train.images()[validation[i]];
      valLabels[i] = train.labels()[validation[i]];
    }
    int[] rest = new int[train.size() - validation.length];
    int k = 0;
    for (int i = 0; i < train.size(); i++) {
      if (!held[i]) {
        rest[k++] = i;
      }
    }
    return new Pool(train.images(), train.labels(), rest, evalViews.evalBatch(valImages, 0, valImages.length),
        valLabels);
  }

  /** The labelled subset (indices into the train split) of one run. */
  private static int[] labelled(Map<String, String> run, Pool pool, long seed) {
    int[] candidateLabels = new int[pool.candidates().length];
    for (int i = 0; i < candidateLabels.length; i++) {
      candidateLabels[i] = pool.labels()[pool.candidates()[i]];
    }
    int[] chosen;
    if (run.containsKey("perClass")) {
      chosen = LabelSubsets.perClass(candidateLabels, CLASSES, Integer.parseInt(run.get("perClass")), seed);
    } else {
      chosen = LabelSubsets.byFraction(candidateLabels, CLASSES, Double.parseDouble(required(run, "fraction")), seed);
    }
    int[] out = new int[chosen.length];
    for (int i = 0; i < chosen.length; i++) {
      out[i] = pool.candidates()[chosen[i]];
    }
    return out;
  }

  static FineTuneConfig finetuneConfig(Map<String, String> run, float[][] stats, long seed, long totalSteps) {
    return FineTuneConfig.builder(new VitSpec(FashionMnist.SIZE, 4, 1, 64, 4, 4, 4), CLASSES)
        .batchSize(Integer.parseInt(run.getOrDefault("batch", "64")))
        .baseLearningRate(Double.parseDouble(run.getOrDefault("lr", "1e-3")))
        .minLearningRate(Double.parseDouble(run.getOrDefault("minLr", "1e-6")))
        .schedule(totalSteps, Double.parseDouble(run.getOrDefault("warmup", "0.1")))
        .weightDecay(Double.parseDouble(run.getOrDefault("wd", "0.05")))
        .layerDecay(Double.parseDouble(run.getOrDefault("layerDecay", "0.75")))
        .gradientClip(Double.parseDouble(run.getOrDefault("clip", "5.0")))
        .labelSmoothing(Double.parseDouble(run.getOrDefault("smoothing", "0.1")))
        .dropPath(Double.parseDouble(run.getOrDefault("dropPath", "0")))
        .augmentation(Double.parseDouble(run.getOrDefault("minScale", "0.5")),
            Boolean.parseBoolean(run.getOrDefault("flip", "true")))
        .pooling(HeadPooling.valueOf(run.getOrDefault("pooling", "CLS")))
        .channelStats(stats[0], stats[1])
        .seed(seed)
        .device(DeviceKind.CPU)
        .threads(1, 1)
        .build();
  }

  private static void finetune(Map<String, String> run, Pool pool, Checkpoint ckpt, float[][] stats)
      throws Exception {
    long seed = Long.parseLong(run.getOrDefault("seed", "0"));
    int[] subset = labelled(run, pool, seed);
    int batch = Integer.parseInt(run.getOrDefault("batch", "64"));
    long steps = run.containsKey("steps") ? Long.parseLong(run.get("steps"))
        : (long) Math.ceil(Double.parseDouble(required(run, "epochs")) * subset.length / batch);
    FineTuneConfig config = finetuneConfig(run, stats, seed, steps);
    if (ckpt != null) {
      // The pretraining run's statistics normalize the encoder's inputs.
      config = config.toBuilder().channelStats(ckpt.config().channelMean(), ckpt.config().channelStd()).build();
    }
    FineTuneViews views = FineTuneViews.of(config);
    String loadBefore = Files.readString(Path.of("/proc/loadavg")).trim();
    long start = System.nanoTime();
    double lossSum = 0;
    double accSum = 0;
    int tail = 0;
    int clipped = 0;
    double gradNormMax = 0;
    Map<String, Object> result = new LinkedHashMap<>();
    try (FineTuneTrainer trainer = ckpt == null ? FineTuneTrainer.fromScratch(config)
        : FineTuneTrainer.fromPretrained(config, ckpt,
            Branch.valueOf(run.getOrDefault("branch", "online").toUpperCase()))) {
      int[] perm = null;
      long permEpoch = -1;
      int[] batchIndices = new int[batch];
      int[] labels = new int[batch];
      long[] epochs = new long[batch];
      for (long step = 0; step < steps; step++) {
        for (int b = 0; b < batch; b++) {
          long position = step * batch + b;
          long epoch = position / subset.length;
          if (epoch != permEpoch) {
            perm = epochPermutation(seed, subset.length, epoch);
            permEpoch = epoch;
          }
          batchIndices[b] = subset[perm[(int) (position % subset.length)]];
          labels[b] = pool.labels()[batchIndices[b]];
          epochs[b] = epoch;
        }
        float[] images = trainViews(views, pool.images(), batchIndices, epochs, seed);
        FineTuneStepResult r = trainer.step(images, labels);
        if (r.refused()) {
          System.out.println("refused: " + r);
        }
        clipped += r.gradNorm() > config.optimization().gradientClip() ? 1 : 0;
        gradNormMax = Math.max(gradNormMax, r.gradNorm());
        if (step >= steps - Math.min(50, steps)) {
          lossSum += r.loss();
          accSum += r.trainTop1();
          tail++;
        }
        if (run.containsKey("logEvery") && (step + 1) % Long.parseLong(run.get("logEvery")) == 0) {
          System.out.printf("  %s | %.0f s%n", r, (System.nanoTime() - start) / 1e9);
        }
      }
      double trainSeconds = (System.nanoTime() - start) / 1e9;
      long evalStart = System.nanoTime();
      int[] predicted = trainer.predict(pool.evalImages());
      double evalSeconds = (System.nanoTime() - evalStart) / 1e9;
      int correct = 0;
      for (int i = 0; i < predicted.length; i++) {
        correct += predicted[i] == pool.evalLabels()[i] ? 1 : 0;
      }
      result.put("name", run.getOrDefault("name", ""));
      result.put("init", ckpt == null ? "scratch" : run.get("init") + ":" + run.getOrDefault("branch", "online"));
      result.put("pool", run.getOrDefault("pool", "calib"));
      result.put("labels", subset.length);
      result.put("seed", seed);
      result.put("baseLr", config.optimization().baseLearningRate());
      result.put("batch", batch);
      result.put("steps", steps);
      result.put("epochs", steps * (double) batch / subset.length);
      result.put("warmupSteps", config.optimization().warmupSteps());
      result.put("layerDecay", config.optimization().layerDecay());
      result.put("minScale", config.augmentation().minScale());
      result.put("flip", config.augmentation().flip());
      result.put("dropPath", config.regularization().dropPath());
      result.put("smoothing", config.regularization().labelSmoothing());
      result.put("wd", config.optimization().weightDecay());
      result.put("pooling", config.head().pooling().name());
      result.put("trainLossLast50", lossSum / tail);
      result.put("trainTop1Last50", accSum / tail);
      result.put("clippedSteps", clipped);
      result.put("gradNormMax", gradNormMax);
      result.put("evalN", predicted.length);
      result.put("top1", 100.0 * correct / predicted.length);
      result.put("trainSeconds", trainSeconds);
      result.put("evalSeconds", evalSeconds);
      result.put("imgPerSecond", steps * batch / trainSeconds);
      result.put("loadBefore", loadBefore);
      result.put("loadAfter", Files.readString(Path.of("/proc/loadavg")).trim());
    }
    String line = new Gson().toJson(result);
    System.out.println("RESULT " + line);
    String file = run.get("results");
    if (file != null) {
      Files.writeString(Path.of(file), line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    }
  }

  private static float[] trainViews(FineTuneViews views, FloatImage[] images, int[] indices, long[] epochs,
      long seed) {
    int per = FashionMnist.SIZE * FashionMnist.SIZE;
    float[] out = new float[indices.length * per];
    for (int b = 0; b < indices.length; b++) {
      float[] v = views.train(images[indices[b]], SeededRandom.forSample(seed, epochs[b], indices[b]));
      System.arraycopy(v, 0, out, b * per, per);
    }
    return out;
  }

  /** The image order of one epoch: a seeded Fisher-Yates permutation (as {@code BatchPlan}). */
  static int[] epochPermutation(long seed, int n, long epoch) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  // ---- flags ----

  private static Path dataDir(Map<String, String> flags) {
    return Path.of(flags.getOrDefault("data", FashionMnist.DEFAULT_DIR.toString()));
  }

  static Map<String, String> flags(String[] args) {
    Map<String, String> m = new HashMap<>();
    for (int i = 1; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --flag value, got " + args[i]);
      }
      m.put(args[i].substring(2), args[++i]);
    }
    return m;
  }

  private static String required(Map<String, String> flags, String name) {
    String v = flags.get(name);
    if (v == null) {
      throw new IllegalArgumentException("--" + name + " is required");
    }
    return v;
  }
}
