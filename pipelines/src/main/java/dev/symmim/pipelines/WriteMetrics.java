package dev.symmim.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.symmim.transforms.dataset.Locations;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
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
 * Gathers every set's evaluation JSON and writes {@code metrics.json} (sets in the given order,
 * projections moved out) and {@code projections.json} into a directory (local, or gs:// through Beam's
 * FileSystems).
 */
final class WriteMetrics extends PTransform<PCollection<String>, PDone> {
  private final String dir;
  private final String headerJson;
  private final List<String> order;

  WriteMetrics(String dir, String headerJson, List<String> order) {
    this.dir = dir;
    this.headerJson = headerJson;
    this.order = order;
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
      ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      Map<String, ObjectNode> byName = new HashMap<>();
      for (String s : all.getValue()) {
        ObjectNode o = (ObjectNode) json.readTree(s);
        byName.put(o.get("name").asText(), o);
      }
      ObjectNode metrics = (ObjectNode) json.readTree(headerJson);
      ObjectNode sets = metrics.putObject("sets");
      ObjectNode projections = json.createObjectNode();
      for (String name : order) {
        ObjectNode o = byName.get(name);
        if (o == null) {
          throw new IllegalStateException("no evaluation result for embedding set '" + name + "'");
        }
        JsonNode projection = o.remove("projection");
        if (projection != null) {
          projections.set(name, projection);
        }
        o.remove("name");
        sets.set(name, o);
      }
      if (Locations.isUri(dir)) { // a GCS object is created whole: readers never see a part
        Locations.write(Locations.child(dir, "projections.json"),
            (json.writeValueAsString(projections) + "\n").getBytes(StandardCharsets.UTF_8));
        Locations.write(Locations.child(dir, "metrics.json"),
            (json.writeValueAsString(metrics) + "\n").getBytes(StandardCharsets.UTF_8));
        return;
      }
      Path d = Path.of(dir);
      Files.createDirectories(d);
      write(d.resolve("projections.json"), json.writeValueAsString(projections));
      write(d.resolve("metrics.json"), json.writeValueAsString(metrics));
    }

    private static void write(Path target, String text) throws IOException {
      Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp-" + System.nanoTime());
      Files.writeString(tmp, text + "\n", StandardCharsets.UTF_8);
      Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
