package dev.symmim.transforms.index;

import dev.symmim.transforms.io.Locations;
import static com.google.common.base.Preconditions.checkArgument;

import dev.symmim.schemas.Embedding;
import dev.symmim.schemas.FailedRecord;
import dev.symmim.schemas.ShardInfo;
import dev.symmim.transforms.dataset.StableHash;
import dev.symmim.transforms.evaluate.Vectors;
import dev.symmim.transforms.failures.BadInputException;
import dev.symmim.transforms.failures.FailedRecords;
import dev.symmim.transforms.failures.WriteFailures;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.lucene.util.Version;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Embeddings -> a sharded Lucene HNSW index directory (see {@link IndexManifest} for the layout).
 * Each embedding goes to shard {@code StableHash("index", id) mod shards}; each shard is built on a
 * worker in a local temporary directory ({@link HnswShardWriter}, ids in sorted order so a rebuild
 * gives the same graph) and copied to {@code <output>/shard-SSSSS/} ({@link ShardFiles}). An
 * embedding of the wrong length, of another model, or with no direction (zero or non-finite)
 * becomes a dead letter under {@code <output>/failed/}. {@code index.json} is written last, only
 * when the counts reconcile and every shard is there (shards no id hashed to are built empty).
 * Emits the written manifest.
 */
public final class BuildHnswIndex extends PTransform<PCollection<Embedding>, PCollection<IndexManifest>> {
  private static final Logger LOG = LoggerFactory.getLogger(BuildHnswIndex.class);
  static final String STAGE = "index";
  static final String HASH_SALT = "index";

  static final TupleTag<KV<Integer, IndexRow>> ROWS = new TupleTag<>() {};
  static final TupleTag<FailedRecord> FAILED = new TupleTag<>() {};

  private final Spec spec;

  /** Everything the workers need; plain values, no options. */
  record Spec(String outputDir, int shards, int m, int efConstruction, int dim, String modelId, String embeddings,
      String embeddingsManifestSha256, long expectedInputs) implements Serializable {}

  private BuildHnswIndex(Spec spec) {
    this.spec = spec;
  }

  /**
   * An index of {@code dim}-d embeddings of {@code modelId} into {@code outputDir}, 1 shard, m=16,
   * efConstruction=100.
   */
  public static BuildHnswIndex to(String outputDir, int dim, String modelId) {
    checkArgument(outputDir != null && !outputDir.isBlank(), "outputDir must be set");
    checkArgument(dim > 0 && dim <= 1024, "dim must be in [1, 1024] (Lucene's limit), got %s", dim);
    checkArgument(modelId != null && !modelId.isBlank(), "modelId must be set");
    return new BuildHnswIndex(new Spec(outputDir, 1, 16, 100, dim, modelId, "", "", -1));
  }

  public BuildHnswIndex withShards(int shards) {
    checkArgument(shards >= 1 && shards <= 99999, "shards must be in [1, 99999], got %s", shards);
    return new BuildHnswIndex(new Spec(spec.outputDir, shards, spec.m, spec.efConstruction, spec.dim, spec.modelId,
        spec.embeddings, spec.embeddingsManifestSha256, spec.expectedInputs));
  }

  /** HNSW max connections per node ({@code m}) and build beam width ({@code efConstruction}). */
  public BuildHnswIndex withGraph(int m, int efConstruction) {
    checkArgument(m >= 2 && m <= 512, "m must be in [2, 512], got %s", m);
    checkArgument(efConstruction >= 1 && efConstruction <= 3200, "efConstruction must be in [1, 3200], got %s",
        efConstruction);
    return new BuildHnswIndex(new Spec(spec.outputDir, spec.shards, m, efConstruction, spec.dim, spec.modelId,
        spec.embeddings, spec.embeddingsManifestSha256, spec.expectedInputs));
  }

  /**
   * Where the embeddings came from (recorded in index.json) and how many records its manifest
   * lists: the build fails unless exactly that many are read.
   */
  public BuildHnswIndex withSource(String embeddingsDir, String manifestSha256, long records) {
    checkArgument(records >= 0, "records must be >= 0, got %s", records);
    return new BuildHnswIndex(new Spec(spec.outputDir, spec.shards, spec.m, spec.efConstruction, spec.dim,
        spec.modelId, embeddingsDir, manifestSha256, records));
  }

  @Override
  public PCollection<IndexManifest> expand(PCollection<Embedding> input) {
    PCollectionTuple checked = input.apply("CheckEmbeddings",
        ParDo.of(new CheckFn(spec)).withOutputTags(ROWS, TupleTagList.of(FAILED)));
    PCollection<IndexManifest.Shard> shards = checked.get(ROWS)
        .setCoder(KvCoder.of(VarIntCoder.of(), IndexRowCoder.of()))
        .apply("GroupByShard", GroupByKey.create())
        .apply("BuildShards", ParDo.of(new BuildShardFn(spec)))
        .setCoder(SerializableCoder.of(IndexManifest.Shard.class));
    PCollection<ShardInfo> failures = checked.get(FAILED)
        .setCoder(AvroCoder.of(FailedRecord.class))
        .apply("WriteFailures", WriteFailures.to(spec.outputDir));

    PCollectionView<List<IndexManifest.Shard>> shardsView = shards.apply("ShardsView", View.asList());
    PCollectionView<List<ShardInfo>> failuresView = failures.apply("FailuresView", View.asList());
    PCollectionView<Long> inputsView = input.apply("CountInputs", Count.globally()).apply("InputsView",
        View.asSingleton());
    return input.getPipeline()
        .apply("Finish", Create.of(0))
        .apply("WriteIndexManifest", ParDo.of(new WriteManifestFn(spec, shardsView, failuresView, inputsView))
            .withSideInputs(shardsView, failuresView, inputsView))
        .setCoder(SerializableCoder.of(IndexManifest.class));
  }

  /** What a shard stores of one embedding: the unit vector and the fields search returns. */
  record IndexRow(String id, String split, int label, String labelName, float[] unitVector) implements Serializable {}

  static int shardOf(String id, int shards) {
    return (int) Math.floorMod(StableHash.of(HASH_SALT, id), (long) shards);
  }

  /** Validates each embedding against the index's dim and model; keys the good ones by shard. */
  static class CheckFn extends DoFn<Embedding, KV<Integer, IndexRow>> {
    private final Spec spec;
    private final Counter refused = Metrics.counter(BuildHnswIndex.class, "refused");

    CheckFn(Spec spec) {
      this.spec = spec;
    }

    @ProcessElement
    public void process(@Element Embedding e, MultiOutputReceiver out) {
      String id = e.getId().toString();
      try {
        IndexRow row = check(e, id);
        out.get(ROWS).output(KV.of(shardOf(id, spec.shards), row));
      } catch (BadInputException bad) {
        refused.inc();
        out.get(FAILED).output(FailedRecords.of(STAGE, spec.embeddings + "#" + id, null, bad));
      }
    }

    private IndexRow check(Embedding e, String id) throws BadInputException {
      List<Float> v = e.getVector();
      if (v.size() != spec.dim) {
        throw new BadInputException("wrong-dim", "vector has " + v.size() + " dimensions, the index has " + spec.dim);
      }
      String model = e.getModelId().toString();
      if (!model.equals(spec.modelId)) {
        throw new BadInputException("other-model", "embedding of model " + model + ", the index is of " + spec.modelId);
      }
      float[] unit = CosineVectors.normalized(Vectors.of(v));
      if (unit == null) {
        throw new BadInputException("no-direction", "vector is zero or has a non-finite component: no cosine");
      }
      return new IndexRow(id, e.getSplit().toString(), e.getLabel(),
          e.getLabelName() == null ? null : e.getLabelName().toString(), unit);
    }
  }

  /** Builds one shard locally and copies it to the index directory. */
  static class BuildShardFn extends DoFn<KV<Integer, Iterable<IndexRow>>, IndexManifest.Shard> {
    private final Spec spec;
    private final Counter indexed = Metrics.counter(BuildHnswIndex.class, "indexed");
    private final Distribution buildMillis = Metrics.distribution(BuildHnswIndex.class, "shardBuildMillis");

    BuildShardFn(Spec spec) {
      this.spec = spec;
    }

    @ProcessElement
    public void process(@Element KV<Integer, Iterable<IndexRow>> group, OutputReceiver<IndexManifest.Shard> out)
        throws IOException {
      List<IndexRow> all = new ArrayList<>();
      group.getValue().forEach(all::add);
      long t0 = System.nanoTime();
      IndexManifest.Shard shard = buildShard(spec, group.getKey(), all);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      buildMillis.update(ms);
      indexed.inc(shard.records());
      LOG.info("index: shard {} of {}: {} vectors built and copied in {} ms", group.getKey(), spec.shards,
          shard.records(), ms);
      out.output(shard);
    }
  }

  /** Builds shard {@code shard} of {@code rows} (any order) in a local temporary directory and uploads it. */
  static IndexManifest.Shard buildShard(Spec spec, int shard, List<IndexRow> rows) throws IOException {
    rows.sort(Comparator.comparing(IndexRow::id));
    for (int i = 1; i < rows.size(); i++) {
      if (rows.get(i).id().equals(rows.get(i - 1).id())) {
        throw new IllegalStateException("embeddings " + spec.embeddings + " hold id '" + rows.get(i).id()
            + "' twice; ids must be unique");
      }
    }
    Path local = Files.createTempDirectory("symmim-shard-" + shard + "-");
    try {
      try (HnswShardWriter w = new HnswShardWriter(local, spec.dim, spec.m, spec.efConstruction)) {
        for (IndexRow r : rows) {
          w.add(r.id(), r.split(), r.label(), r.labelName(), r.unitVector());
        }
      }
      String path = IndexManifest.shardPath(shard);
      return new IndexManifest.Shard(shard, path, rows.size(), ShardFiles.upload(local, spec.outputDir, path));
    } finally {
      Locations.deleteTree(local);
    }
  }

  /** Builds the shards nothing hashed to, checks the counts and writes index.json. */
  static class WriteManifestFn extends DoFn<Integer, IndexManifest> {
    private final Spec spec;
    private final PCollectionView<List<IndexManifest.Shard>> shardsView;
    private final PCollectionView<List<ShardInfo>> failuresView;
    private final PCollectionView<Long> inputsView;

    WriteManifestFn(Spec spec, PCollectionView<List<IndexManifest.Shard>> shardsView,
        PCollectionView<List<ShardInfo>> failuresView, PCollectionView<Long> inputsView) {
      this.spec = spec;
      this.shardsView = shardsView;
      this.failuresView = failuresView;
      this.inputsView = inputsView;
    }

    @ProcessElement
    public void process(ProcessContext c) throws IOException {
      IndexManifest.Shard[] byNumber = new IndexManifest.Shard[spec.shards];
      for (IndexManifest.Shard s : c.sideInput(shardsView)) {
        byNumber[s.shard()] = s;
      }
      for (int i = 0; i < spec.shards; i++) {
        if (byNumber[i] == null) {
          byNumber[i] = buildShard(spec, i, new ArrayList<>());
        }
      }
      long failed = c.sideInput(failuresView).stream().mapToLong(ShardInfo::getRecords).sum();
      long inputs = c.sideInput(inputsView);
      List<IndexManifest.Shard> shards = List.of(byNumber);
      long records = shards.stream().mapToLong(IndexManifest.Shard::records).sum();
      if (spec.expectedInputs >= 0 && inputs != spec.expectedInputs) {
        throw new IllegalStateException("embeddings " + spec.embeddings + ": read " + inputs
            + " records but its manifest lists " + spec.expectedInputs + "; the directory is incomplete or damaged");
      }
      if (records == 0 && inputs > 0) {
        throw new IllegalStateException("every one of the " + inputs + " embeddings was refused (wrong length, "
            + "other model or no direction); see " + spec.outputDir + "/" + WriteFailures.PATH);
      }
      IndexManifest m = new IndexManifest(IndexManifest.FORMAT, IndexManifest.METRIC, spec.modelId, spec.dim, spec.m,
          spec.efConstruction, Version.LATEST.toString(), spec.embeddings, spec.embeddingsManifestSha256, inputs,
          records, failed, shards);
      if (!m.reconciles()) {
        throw new IllegalStateException("index counts do not reconcile: inputs " + inputs + " != indexed " + records
            + " + failed " + failed);
      }
      m.writeTo(spec.outputDir);
      c.output(m);
    }
  }
}
