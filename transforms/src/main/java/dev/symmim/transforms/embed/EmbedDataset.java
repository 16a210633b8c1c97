package dev.symmim.transforms.embed;

import dev.symmim.schemas.Embedding;
import dev.symmim.schemas.ShardInfo;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.failures.WriteFailures;
import dev.symmim.transforms.io.Locations;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * {@code symmim embed} as one composite: prepared shards -> batches -> {@link ComputeEmbeddings} ->
 * {@link WriteEmbeddings} + dead letters -> {@code vertex-index-metadata.json} ({@link VertexIndexMetadata})
 * and {@code manifest.json} (written last, only when {@code inputs == embedded + failed}). Emits the
 * manifest's JSON.
 */
public final class EmbedDataset extends PTransform<PBegin, PCollection<String>> {
  /**
   * Everything the job needs, decided on the driver.
   *
   * @param shards the dataset's shards to embed (every split)
   * @param vertex how the Vertex AI input and index metadata are written
   * @param manifestJson the manifest to complete with counts and files ({@code inputs}, {@code failed},
   *     {@code splits}, {@code shards}, {@code vertexFiles}, {@code vertexIndexMetadata} are filled in by the job)
   */
  public record Plan(String outputDir, List<ShardRef> shards, Embedder.Spec spec, int batchSize, int numShards,
      VertexExport vertex, String manifestJson) implements Serializable {}

  private final Plan plan;

  private EmbedDataset(Plan plan) {
    this.plan = plan;
  }

  public static EmbedDataset of(Plan plan) {
    return new EmbedDataset(plan);
  }

  @Override
  public PCollection<String> expand(PBegin begin) {
    EmbeddingsManifest template;
    try {
      template = DatasetManifest.json().readValue(plan.manifestJson(), EmbeddingsManifest.class);
    } catch (IOException e) {
      throw new IllegalArgumentException("bad manifest template: " + e.getMessage(), e);
    }
    PCollectionTuple computed = begin
        .apply("Shards", Create.of(plan.shards()).withCoder(SerializableCoder.of(ShardRef.class)))
        .apply("ReadBatches", ReadExampleBatches.ofSize(plan.batchSize()))
        .apply("ComputeEmbeddings", ComputeEmbeddings.with(plan.spec(), template.modelId()));
    PCollection<Embedding> embeddings = computed.get(ComputeEmbeddings.EMBEDDINGS);
    PCollectionView<List<ShardInfo>> parts = embeddings
        .apply("WriteEmbeddings", WriteEmbeddings.to(plan.outputDir(), plan.numShards()).withVertex(plan.vertex())
            .withClasses(template.classes()))
        .apply("PartsView", View.asList());
    PCollectionView<List<ShardInfo>> failedFiles = computed.get(ComputeEmbeddings.FAILURES)
        .apply("WriteFailures", WriteFailures.to(plan.outputDir()))
        .apply("FailedView", View.asList());
    PCollectionView<Map<String, Long>> perSplit = embeddings
        .apply("SplitOf", MapElements.into(TypeDescriptors.strings()).via(e -> e.getSplit().toString()))
        .apply("CountSplits", Count.perElement())
        .apply("SplitCounts", View.asMap());
    long inputs = plan.shards().stream().mapToLong(ShardRef::records).sum();
    return begin
        .apply("Trigger", Create.of(plan.outputDir()).withCoder(StringUtf8Coder.of()))
        .apply("WriteManifest", ParDo.of(new ManifestFn(plan.manifestJson(), plan.vertex(), inputs, parts, failedFiles,
                perSplit))
            .withSideInputs(parts, failedFiles, perSplit))
        .setCoder(StringUtf8Coder.of());
  }

  /** The template completed with what the job wrote. */
  public static EmbeddingsManifest complete(EmbeddingsManifest t, long inputs, List<ShardInfo> parts,
      List<ShardInfo> failedFiles, Map<String, Long> perSplit) {
    List<ShardInfo> sorted = new ArrayList<>(parts);
    sorted.sort(Comparator.comparingInt(ShardInfo::getShard));
    List<DatasetManifest.Shard> shards = new ArrayList<>();
    List<String> vertex = new ArrayList<>();
    for (ShardInfo s : sorted) {
      shards.add(new DatasetManifest.Shard(s.getPath().toString(), s.getRecords(), s.getBytes(), s.getSha256().toString()));
      vertex.add(WriteEmbeddings.partPath(EmbeddingsManifest.VERTEX_DIR, s.getShard(), s.getNumShards(), "json"));
    }
    long failed = failedFiles.stream().mapToLong(ShardInfo::getRecords).sum();
    Map<String, Long> splits = new LinkedHashMap<>(new TreeMap<>(perSplit));
    return new EmbeddingsManifest(t.modelId(), t.dim(), t.encoder(), t.checkpoint(), t.dataset(),
        t.datasetManifestSha256(), inputs, failed, splits, shards, vertex, VertexIndexMetadata.FILE_NAME, t.classes(),
        t.config());
  }

  static class ManifestFn extends DoFn<String, String> {
    private final String templateJson;
    private final VertexExport vertex;
    private final long inputs;
    private final PCollectionView<List<ShardInfo>> parts;
    private final PCollectionView<List<ShardInfo>> failedFiles;
    private final PCollectionView<Map<String, Long>> perSplit;

    ManifestFn(String templateJson, VertexExport vertex, long inputs, PCollectionView<List<ShardInfo>> parts,
        PCollectionView<List<ShardInfo>> failedFiles, PCollectionView<Map<String, Long>> perSplit) {
      this.templateJson = templateJson;
      this.vertex = vertex;
      this.inputs = inputs;
      this.parts = parts;
      this.failedFiles = failedFiles;
      this.perSplit = perSplit;
    }

    @ProcessElement
    public void process(ProcessContext c) throws IOException {
      EmbeddingsManifest t = DatasetManifest.json().readValue(templateJson, EmbeddingsManifest.class);
      EmbeddingsManifest m = complete(t, inputs, c.sideInput(parts), c.sideInput(failedFiles), c.sideInput(perSplit));
      if (!m.reconciles()) {
        throw new IllegalStateException(String.format("counts do not reconcile: inputs=%d but embedded=%d + failed=%d;"
            + " refusing to write %s", m.inputs(), m.records(), m.failed(), EmbeddingsManifest.FILE_NAME));
      }
      long written = m.shards().stream().mapToLong(DatasetManifest.Shard::records).sum();
      if (written != m.records()) {
        throw new IllegalStateException("the embedding parts hold " + written + " records but " + m.records()
            + " were embedded; refusing to write " + EmbeddingsManifest.FILE_NAME);
      }
      VertexIndexMetadata.of(Locations.child(c.element(), EmbeddingsManifest.VERTEX_DIR), m.dim(), m.records(),
          vertex.approximateNeighborsCount()).writeTo(c.element());
      m.writeTo(c.element());
      c.output(DatasetManifest.json().writeValueAsString(m));
    }
  }
}
