package dev.symmim.pipelines.index;

import dev.symmim.pipelines.options.Flags;
import dev.symmim.pipelines.options.OptionDocs;
import dev.symmim.pipelines.runner.Jobs;
import dev.symmim.schemas.Embedding;
import dev.symmim.transforms.io.Locations;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.dataset.DatasetPaths;
import dev.symmim.transforms.embed.EmbeddingsManifest;
import dev.symmim.transforms.io.Sha256;
import dev.symmim.transforms.index.BuildHnswIndex;
import dev.symmim.transforms.index.IndexManifest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.io.AvroIO;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.transforms.Create;

/** {@code symmim index}: an embeddings directory -> {@link BuildHnswIndex} -> a sharded HNSW index directory. */
public final class IndexPipeline {
  private IndexPipeline() {}

  /** What the pipeline reads and how it builds; checked before any work. */
  public record Plan(String embeddings, String output, List<String> parts, BuildHnswIndex transform) {}

  public static Plan plan(IndexOptions o) throws IOException {
    OptionDocs.requireAll(o, IndexOptions.class);
    Flags.check(o.getShards() >= 1 && o.getShards() <= 99999, "shards", o.getShards(), "must be in [1, 99999]");
    Flags.check(o.getM() >= 2 && o.getM() <= 512, "m", o.getM(), "must be in [2, 512]");
    Flags.check(o.getEfConstruction() >= 1 && o.getEfConstruction() <= 3200, "efConstruction", o.getEfConstruction(),
        "must be in [1, 3200]");
    FileSystems.setDefaultPipelineOptions(o);
    String embeddings = Locations.absolute(o.getEmbeddings());
    String output = Locations.absolute(o.getOutput());
    Flags.check(!output.equals(embeddings), "output", o.getOutput(), "must not be the embeddings directory");
    byte[] manifestBytes;
    EmbeddingsManifest m;
    try (InputStream in = Channels.newInputStream(
        FileSystems.open(DatasetPaths.resolve(embeddings, EmbeddingsManifest.FILE_NAME)))) {
      manifestBytes = in.readAllBytes();
      m = DatasetManifest.json().readValue(manifestBytes, EmbeddingsManifest.class);
    } catch (java.io.FileNotFoundException e) {
      throw new IllegalArgumentException("--embeddings=" + o.getEmbeddings() + ": no " + EmbeddingsManifest.FILE_NAME
          + " (is this a 'symmim embed' output directory?)", e);
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new IllegalArgumentException("--embeddings=" + o.getEmbeddings() + ": malformed "
          + EmbeddingsManifest.FILE_NAME + ": " + e.getOriginalMessage(), e);
    }
    Flags.check(m.modelId() != null && !m.modelId().isBlank() && m.shards() != null && m.splits() != null,
        "embeddings", o.getEmbeddings(), "has an invalid manifest (no model id, shards or splits)");
    Flags.check(m.dim() >= 1 && m.dim() <= 1024, "embeddings", o.getEmbeddings(),
        "holds " + m.dim() + "-d vectors; Lucene's HNSW takes 1 to 1024 dimensions");
    Flags.check(m.reconciles(), "embeddings", o.getEmbeddings(), "has a manifest whose counts do not reconcile");
    Flags.check(m.records() > 0, "embeddings", o.getEmbeddings(), "holds no embeddings");
    long listed = m.shards().stream().mapToLong(DatasetManifest.Shard::records).sum();
    Flags.check(listed == m.records(), "embeddings", o.getEmbeddings(),
        "lists " + listed + " records in its part files but " + m.records() + " in its splits");
    List<String> parts = new ArrayList<>();
    for (DatasetManifest.Shard s : m.shards()) {
      String part = DatasetPaths.resolve(embeddings, s.path()).toString();
      MatchResult match = FileSystems.match(List.of(part), EmptyMatchTreatment.ALLOW).get(0);
      Flags.check(match.status() == MatchResult.Status.OK && !match.metadata().isEmpty(), "embeddings",
          o.getEmbeddings(), "is missing its part file " + part + " (listed in its manifest)");
      parts.add(part);
    }
    BuildHnswIndex transform = BuildHnswIndex.to(output, m.dim(), m.modelId())
        .withShards(o.getShards())
        .withGraph(o.getM(), o.getEfConstruction())
        .withSource(embeddings, Sha256.of(manifestBytes), m.records());
    return new Plan(embeddings, output, parts, transform);
  }

  public static Pipeline build(IndexOptions o, Plan plan) {
    Pipeline p = Pipeline.create(o);
    p.apply("EmbeddingFiles", Create.of(plan.parts()).withCoder(StringUtf8Coder.of()))
        .apply("Match", FileIO.matchAll())
        .apply("Open", FileIO.readMatches())
        .apply("ReadEmbeddings", AvroIO.readFiles(Embedding.class))
        .apply("BuildHnswIndex", plan.transform());
    return p;
  }

  /**
   * Builds the index; returns its manifest (read back from the output), null when the runner only
   * writes the job ({@link Jobs#submitOnly}).
   */
  public static IndexManifest run(IndexOptions o) throws IOException {
    Plan plan = plan(o);
    // An old index.json would describe shards this run is about to replace.
    FileSystems.delete(List.of(DatasetPaths.resolve(plan.output(), IndexManifest.FILE_NAME)),
        MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    long t0 = System.nanoTime();
    PipelineResult result = Jobs.run(build(o, plan), "index");
    if (Jobs.submitOnly(o)) {
      return null;
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.println("index: Beam counters" + Jobs.metrics(result, BuildHnswIndex.class.getName()));
    IndexManifest m = IndexManifest.readFrom(plan.output());
    System.out.printf("index: %d of %d embeddings (%d-d, %s) in %d shards, %d refused (see %s/failed/), "
        + "m=%d efConstruction=%d, %.1f s; %s/%s%n", m.records(), m.inputs(), m.dim(), m.modelId(), m.shards().size(),
        m.failed(), plan.output(), m.m(), m.efConstruction(), seconds, plan.output(), IndexManifest.FILE_NAME);
    return m;
  }
}
