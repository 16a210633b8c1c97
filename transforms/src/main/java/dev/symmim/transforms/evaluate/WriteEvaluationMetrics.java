package dev.symmim.transforms.evaluate;

import dev.symmim.transforms.io.Locations;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Gathers every set's {@link SetEvaluation} (as JSON) and writes {@code metrics.json} (the header's
 * {@link EvaluationMetrics} with the sets in the given order, projections moved out) and
 * {@code projections.json} into a directory: local (temporary file and rename) or a URI (each
 * object created whole, so readers never see a part).
 */
public final class WriteEvaluationMetrics extends PTransform<PCollection<String>, PDone> {
  public static final String METRICS_FILE = "metrics.json";
  public static final String PROJECTIONS_FILE = "projections.json";

  private final String dir;
  private final String headerJson;
  private final List<String> order;

  private WriteEvaluationMetrics(String dir, String headerJson, List<String> order) {
    this.dir = dir;
    this.headerJson = headerJson;
    this.order = List.copyOf(order);
  }

  /** {@code header}: everything of metrics.json but the sets; {@code order}: the set names, in the order to list them. */
  public static WriteEvaluationMetrics to(String dir, EvaluationMetrics header, List<String> order) {
    return new WriteEvaluationMetrics(dir, MetricsJson.write(header), order);
  }

  @Override
  public PDone expand(PCollection<String> sets) {
    sets.apply("KeyAll", WithKeys.<String, String>of("metrics").withKeyType(TypeDescriptors.strings()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()))
        .apply("GatherSets", GroupByKey.create())
        .apply("Write", ParDo.of(new WriteFn(dir, headerJson, order)));
    return PDone.in(sets.getPipeline());
  }

  static class WriteFn extends DoFn<KV<String, Iterable<String>>, Void> {
    private final String dir;
    private final String headerJson;
    private final List<String> order;

    WriteFn(String dir, String headerJson, List<String> order) {
      this.dir = dir;
      this.headerJson = headerJson;
      this.order = order;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<String>> all) throws IOException {
      Map<String, SetEvaluation> byName = new HashMap<>();
      for (String s : all.getValue()) {
        SetEvaluation e = MetricsJson.read(s, SetEvaluation.class);
        byName.put(e.name(), e);
      }
      Map<String, SetEvaluation> sets = new LinkedHashMap<>();
      Map<String, List<double[]>> projections = new LinkedHashMap<>();
      for (String name : order) {
        SetEvaluation e = byName.get(name);
        if (e == null) {
          throw new IllegalStateException("no evaluation result for embedding set '" + name + "'");
        }
        if (e.projection() != null) {
          projections.put(name, e.projection());
        }
        sets.put(name, e.withoutProjection());
      }
      EvaluationMetrics metrics = MetricsJson.read(headerJson, EvaluationMetrics.class).withSets(sets);
      write(PROJECTIONS_FILE, MetricsJson.write(projections));
      write(METRICS_FILE, MetricsJson.write(metrics));
    }

    private void write(String name, String text) throws IOException {
      byte[] bytes = (text + "\n").getBytes(StandardCharsets.UTF_8);
      if (Locations.isUri(dir)) {
        Locations.write(Locations.child(dir, name), bytes);
        return;
      }
      Path d = Path.of(dir);
      Files.createDirectories(d);
      Path tmp = d.resolve("." + name + ".tmp-" + System.nanoTime());
      Files.write(tmp, bytes);
      Files.move(tmp, d.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
