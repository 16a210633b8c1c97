package dev.symmim.transforms.evaluate;

import dev.symmim.schemas.Embedding;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Every evaluation of one embedding set, as one {@link SetEvaluation} in JSON (each number next to its protocol):
 * distributed k-NN ({@link NearestNeighbors} + {@link KnnAccuracy}), a {@link LinearProbe} and
 * {@link FeatureHealth} (both on one worker, which holds the set), and a 2-D PCA projection of
 * up to {@code projectionPoints} query vectors for the report's scatter plot.
 */
public final class EvaluateEmbeddings extends PTransform<PCollection<Embedding>, PCollection<String>> {
  /** How to evaluate. */
  public record Settings(String name, String bankSplit, String querySplit, int[] ks, double temperature,
      List<String> classes, long bankCount, long queryCount, int blockRows, LinearProbe.Protocol probe,
      int projectionPoints) implements Serializable {}

  private final Settings s;

  private EvaluateEmbeddings(Settings settings) {
    this.s = settings;
  }

  public static EvaluateEmbeddings with(Settings settings) {
    return new EvaluateEmbeddings(settings);
  }

  @Override
  public PCollection<String> expand(PCollection<Embedding> all) {
    int maxK = java.util.Arrays.stream(s.ks()).max().orElseThrow();
    Settings settings = s;
    PCollection<KV<String, String>> knn = all
        .apply("Neighbors", NearestNeighbors.of(s.bankSplit(), s.querySplit(), maxK,
            NearestNeighbors.blocksFor(s.bankCount(), s.blockRows()),
            NearestNeighbors.blocksFor(s.queryCount(), s.blockRows())))
        .apply("KnnAccuracy", KnnAccuracy.of(s.ks(), s.temperature(), s.classes().size()))
        .apply("KnnJson", MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings()))
            .via(c -> KV.of("knn", MetricsJson.write(knn(c, settings)))));
    PCollection<KV<String, String>> analysis = all
        .apply("KeyAll", WithKeys.<String, Embedding>of("all").withKeyType(TypeDescriptors.strings()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), AvroCoder.of(Embedding.class)))
        .apply("GatherSet", GroupByKey.create())
        .apply("ProbeHealthProjection", ParDo.of(new AnalysisFn(s)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()));
    return PCollectionList.of(knn).and(analysis)
        .apply("Parts", Flatten.pCollections())
        .apply("KeyParts", WithKeys.<String, KV<String, String>>of(s.name()).withKeyType(TypeDescriptors.strings()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of())))
        .apply("GatherParts", GroupByKey.create())
        .apply("Assemble", ParDo.of(new AssembleFn()))
        .setCoder(StringUtf8Coder.of());
  }

  static KnnResult knn(KnnCounts c, Settings s) {
    List<KnnResult.AtK> ks = new ArrayList<>();
    for (int i = 0; i < c.ks().length; i++) {
      ks.add(new KnnResult.AtK(c.ks()[i], c.top1Accuracy(i), c.top5Accuracy(i)));
    }
    return new KnnResult(String.format("DINO weighted k-NN: L2-normalized features, cosine similarity, votes "
        + "exp(sim/%s), bank = '%s' split, queries = '%s' split (labeled); exact (blocked brute force)",
        s.temperature(), s.bankSplit(), s.querySplit()), s.bankCount(), c.queries(), ks);
  }

  static class AnalysisFn extends DoFn<KV<String, Iterable<Embedding>>, KV<String, String>> {
    private final Settings s;

    AnalysisFn(Settings s) {
      this.s = s;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<Embedding>> set, OutputReceiver<KV<String, String>> out) {
      // Each record becomes a compact row at once: a decoded Avro vector is a list of boxed floats (about 24
      // bytes a component), six times a float[]; the probe and the health statistics need every train row.
      List<Row> train = new ArrayList<>();
      List<Row> test = new ArrayList<>();
      for (Embedding e : set.getValue()) {
        if (e.getLabel() < 0) {
          continue;
        }
        String split = e.getSplit().toString();
        if (split.equals(s.bankSplit())) {
          train.add(Row.of(e));
        } else if (split.equals(s.querySplit())) {
          test.add(Row.of(e));
        }
      }
      train.sort(Row.BY_ID);
      test.sort(Row.BY_ID);
      ProbeResult probe = null;
      HealthResult health = null;
      List<double[]> projection = null;
      float[][] xTrain = matrix(train);
      float[][] xTest = matrix(test);
      if (xTrain.length > 0 && xTest.length > 0) {
        LinearProbe.Result r = LinearProbe.fit(xTrain, labels(train), xTest, labels(test), s.classes().size(), s.probe());
        probe = new ProbeResult(s.probe().describe(), r.trainCount(), r.testCount(), r.trainAccuracy(),
            r.testAccuracy(), r.finalLoss());
      }
      if (xTrain.length > 1) {
        FeatureHealth.Result h = FeatureHealth.of(xTrain, 2000, 0);
        health = new HealthResult("on a seeded sample of at most 2000 L2-normalized train vectors: per-dimension "
            + "std; effective rank = exp(entropy of normalized singular values) of the centered matrix; dead dims = "
            + "std < 1% of max", h.dim(), h.rows(), h.meanStd(), h.minStd(), h.maxStd(), h.deadDims(), h.effectiveRank());
      }
      if (xTest.length > 2) {
        float[][] sample = FeatureHealth.sample(xTest, s.projectionPoints(), 1);
        List<Row> sampled = sampleRows(test, s.projectionPoints(), 1);
        float[][] xy = FeatureHealth.project2d(sample, 0);
        projection = new ArrayList<>();
        for (int i = 0; i < xy.length; i++) {
          projection.add(new double[] {xy[i][0], xy[i][1], sampled.get(i).label()});
        }
      }
      out.output(KV.of("analysis", MetricsJson.write(new SetEvaluation(s.name(), null, probe, health, projection))));
    }
  }

  /** A labelled embedding as the analysis keeps it: id, label and the vector as a float[]. */
  record Row(String id, int label, float[] x) {
    static final Comparator<Row> BY_ID = Comparator.comparing(Row::id);

    static Row of(Embedding e) {
      return new Row(e.getId().toString(), e.getLabel(), Vectors.of(e.getVector()));
    }
  }

  static <T> List<T> sampleRows(List<T> rows, int max, long seed) {
    List<T> out = new ArrayList<>();
    for (int i : FeatureHealth.sampleIndices(rows.size(), max, seed)) {
      out.add(rows.get(i));
    }
    return out;
  }

  static float[][] matrix(List<Row> rows) {
    return rows.stream().map(Row::x).toArray(float[][]::new);
  }

  static int[] labels(List<Row> rows) {
    return rows.stream().mapToInt(Row::label).toArray();
  }

  /** Joins a set's k-NN result and its analysis into one {@link SetEvaluation} (as JSON). */
  static class AssembleFn extends DoFn<KV<String, Iterable<KV<String, String>>>, String> {
    @ProcessElement
    public void process(@Element KV<String, Iterable<KV<String, String>>> parts, OutputReceiver<String> out)
        throws IOException {
      KnnResult knn = null;
      SetEvaluation analysis = new SetEvaluation(parts.getKey(), null, null, null, null);
      for (KV<String, String> part : parts.getValue()) {
        if (part.getKey().equals("knn")) {
          knn = MetricsJson.read(part.getValue(), KnnResult.class);
        } else {
          analysis = MetricsJson.read(part.getValue(), SetEvaluation.class);
        }
      }
      out.output(MetricsJson.write(new SetEvaluation(parts.getKey(), knn, analysis.linearProbe(),
          analysis.featureHealth(), analysis.projection())));
    }
  }
}
