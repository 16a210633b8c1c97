package dev.symmim.transforms.dataset;

import static com.google.common.base.Preconditions.checkArgument;

import dev.symmim.schemas.Example;
import dev.symmim.schemas.ShardInfo;
import dev.symmim.schemas.ShardPiece;
import dev.symmim.transforms.progress.ProgressMeter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Writes examples to {@code <dir>/<split>/<split>-SSSSS-of-NNNNN.avro} with equal record counts
 * per shard (+-1) and bytes that depend only on the examples and the shard settings, whatever the
 * runner or its parallelism (see {@link ShardLayout} for the placement). Each placement group is
 * sorted on one worker and written as pieces (its runs of consecutive positions per shard); each
 * shard is then the raw block concatenation of its pieces, so no worker ever holds a whole shard.
 * Emits one {@link ShardInfo} per shard file, after the pieces are removed.
 */
public final class ShardExamples extends PTransform<PCollection<Example>, PCollection<ShardInfo>> {
  static final String PIECES_DIR = ".pieces";

  private final String outputDir;
  private final int numShards;
  private final long targetShardBytes;

  private ShardExamples(String outputDir, int numShards, long targetShardBytes) {
    this.outputDir = outputDir;
    this.numShards = numShards;
    this.targetShardBytes = targetShardBytes;
  }

  /** Shards of at most 128 MiB under {@code outputDir}. */
  public static ShardExamples to(String outputDir) {
    return new ShardExamples(outputDir, 0, 128L << 20);
  }

  /** Exactly {@code n} shards per split (fewer only when a split has fewer examples); 0 = by size. */
  public ShardExamples withNumShards(int n) {
    checkArgument(n >= 0, "numShards must be >= 0 (0 = by target size), got %s", n);
    return new ShardExamples(outputDir, n, targetShardBytes);
  }

  /** With {@code numShards == 0}: as many shards as needed to keep each under this size. */
  public ShardExamples withTargetShardBytes(long bytes) {
    checkArgument(bytes > 0, "target shard size must be > 0 bytes, got %s", bytes);
    return new ShardExamples(outputDir, numShards, bytes);
  }

  /** Relative path of a shard, e.g. {@code train/train-00000-of-00004.avro}. */
  public static String shardPath(String split, int shard, int shards) {
    return String.format("%s/%s-%05d-of-%05d.avro", split, split, shard, shards);
  }

  static long payloadBytes(Example e) {
    return e.getPixels().remaining() + e.getId().length() + e.getSource().length() + 64;
  }

  @Override
  public PCollection<ShardInfo> expand(PCollection<Example> input) {
    PCollectionView<Map<String, Long>> bucketCounts =
        input
            .apply("BucketKeys", MapElements.into(TypeDescriptors.strings())
                .via((Example e) -> ShardLayout.bucketKey(e.getSplit(), e.getId())))
            .apply("CountPerBucket", Count.perElement())
            .apply("BucketCounts", View.asMap());
    PCollectionView<Map<String, Long>> splitBytes =
        input
            .apply("SplitBytes", MapElements
                .into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.longs()))
                .via((Example e) -> KV.of(e.getSplit(), payloadBytes(e))))
            .apply("SumPerSplit", Sum.longsPerKey())
            .apply("BytesPerSplit", View.asMap());
    LayoutSource layout = new LayoutSource(bucketCounts, splitBytes);

    PCollection<ShardInfo> shards =
        input
            .apply("KeyByGroup", ParDo.of(new KeyByGroupFn(layout)).withSideInputs(bucketCounts, splitBytes))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), AvroCoder.of(Example.class)))
            .apply("GroupForPlacement", GroupByKey.create())
            .apply("WritePieces",
                ParDo.of(new WritePiecesFn(layout, outputDir, numShards, targetShardBytes))
                    .withSideInputs(bucketCounts, splitBytes))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), AvroCoder.of(ShardPiece.class)))
            .apply("GroupPieces", GroupByKey.create())
            .apply("ConcatenatePieces", ParDo.of(new ConcatenateFn(outputDir)))
            .setCoder(AvroCoder.of(ShardInfo.class));
    return shards
        .apply("AllShards", WithKeys.<String, ShardInfo>of("shards").withKeyType(TypeDescriptors.strings()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), AvroCoder.of(ShardInfo.class)))
        .apply("GatherShards", GroupByKey.create())
        .apply("RemovePieces", ParDo.of(new RemovePiecesFn(outputDir)))
        .setCoder(AvroCoder.of(ShardInfo.class));
  }

  /** The layout from its two side inputs, rebuilt only when they change. */
  static final class LayoutSource implements java.io.Serializable {
    private final PCollectionView<Map<String, Long>> bucketCounts;
    private final PCollectionView<Map<String, Long>> splitBytes;
    private transient Map<String, Long> seen;
    private transient ShardLayout layout;

    LayoutSource(PCollectionView<Map<String, Long>> bucketCounts, PCollectionView<Map<String, Long>> splitBytes) {
      this.bucketCounts = bucketCounts;
      this.splitBytes = splitBytes;
    }

    ShardLayout get(DoFn<?, ?>.ProcessContext c) {
      Map<String, Long> counts = c.sideInput(bucketCounts);
      if (layout == null || counts != seen) {
        layout = new ShardLayout(counts, c.sideInput(splitBytes));
        seen = counts;
      }
      return layout;
    }
  }

  static class KeyByGroupFn extends DoFn<Example, KV<String, Example>> {
    private final LayoutSource layoutSource;

    KeyByGroupFn(LayoutSource layoutSource) {
      this.layoutSource = layoutSource;
    }

    @ProcessElement
    public void process(ProcessContext c) {
      Example e = c.element();
      ShardLayout layout = layoutSource.get(c);
      int group = layout.groupOf(e.getSplit(), ShardLayout.bucketOf(e.getId()));
      c.output(KV.of(e.getSplit() + "/" + group, e));
    }
  }

  /** Sorts a placement group into position order and writes its run of each shard as a piece. */
  static class WritePiecesFn extends DoFn<KV<String, Iterable<Example>>, KV<String, ShardPiece>> {
    private final LayoutSource layoutSource;
    private final String outputDir;
    private final int fixedShards;
    private final long targetBytes;

    WritePiecesFn(LayoutSource layoutSource, String outputDir, int fixedShards, long targetBytes) {
      this.layoutSource = layoutSource;
      this.outputDir = outputDir;
      this.fixedShards = fixedShards;
      this.targetBytes = targetBytes;
    }

    @ProcessElement
    public void process(ProcessContext c) throws IOException {
      ShardLayout layout = layoutSource.get(c);
      String key = c.element().getKey();
      int slash = key.lastIndexOf('/');
      String split = key.substring(0, slash);
      int group = Integer.parseInt(key.substring(slash + 1));
      List<Example> examples = new ArrayList<>();
      c.element().getValue().forEach(examples::add);
      examples.sort(Comparator.comparingInt((Example e) -> ShardLayout.bucketOf(e.getId()))
          .thenComparing(Example::getId));
      long count = layout.count(split);
      int shards = layout.numShards(split, fixedShards, targetBytes);
      long position = layout.offset(split, layout.firstBucket(split, group));
      int from = 0;
      while (from < examples.size()) {
        int shard = ShardLayout.shardOf(position, count, shards);
        int to = from;
        while (to < examples.size() && ShardLayout.shardOf(position + (to - from), count, shards) == shard) {
          to++;
        }
        String name = String.format("%s-%05d-of-%05d-g%05d.avro", split, shard, shards, group);
        ResourceId piece = FileSystems.matchNewResource(outputDir, true)
            .resolve(PIECES_DIR + "/" + name, StandardResolveOptions.RESOLVE_FILE);
        AvroShardWriter.Written w = AvroShardWriter.write(piece, Example.getClassSchema(), examples.subList(from, to));
        c.output(KV.of(split + "/" + shard, ShardPiece.newBuilder()
            .setSplit(split).setShard(shard).setNumShards(shards).setFirstPosition(position)
            .setRecords(w.records()).setPath(piece.toString()).build()));
        position += to - from;
        from = to;
      }
    }
  }

  /** Concatenates a shard's pieces, in position order, into the shard file. */
  static class ConcatenateFn extends DoFn<KV<String, Iterable<ShardPiece>>, ShardInfo> {
    private final Counter written = Metrics.counter(ShardExamples.class, "written");
    private final Counter files = Metrics.counter(ShardExamples.class, "shards");
    private final String outputDir;

    ConcatenateFn(String outputDir) {
      this.outputDir = outputDir;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<ShardPiece>> shard, OutputReceiver<ShardInfo> out)
        throws IOException {
      List<ShardPiece> pieces = new ArrayList<>();
      shard.getValue().forEach(pieces::add);
      pieces.sort(Comparator.comparingLong(ShardPiece::getFirstPosition));
      ShardPiece first = pieces.get(0);
      String path = shardPath(first.getSplit(), first.getShard(), first.getNumShards());
      ResourceId target = FileSystems.matchNewResource(outputDir, true).resolve(path, StandardResolveOptions.RESOLVE_FILE);
      AvroShardWriter.Written w;
      try (AvroShardWriter<Example> writer = AvroShardWriter.open(target, Example.getClassSchema())) {
        for (ShardPiece p : pieces) {
          try (InputStream in = Channels.newInputStream(FileSystems.open(FileSystems.matchNewResource(p.getPath(), false)));
              DataFileStream<Example> stream = new DataFileStream<>(in, new SpecificDatumReader<>(Example.class))) {
            writer.appendAllFrom(stream, p.getRecords());
          }
        }
        w = writer.commit();
      }
      written.inc(w.records());
      files.inc();
      ProgressMeter.of("prepare").add("written", w.records());
      out.output(ShardInfo.newBuilder()
          .setSplit(first.getSplit()).setShard(first.getShard()).setNumShards(first.getNumShards()).setPath(path)
          .setRecords(w.records()).setBytes(w.bytes()).setSha256(w.sha256())
          .build());
    }
  }

  /** Once every shard is written, deletes the pieces and passes the shard infos on. */
  static class RemovePiecesFn extends DoFn<KV<String, Iterable<ShardInfo>>, ShardInfo> {
    private final String outputDir;

    RemovePiecesFn(String outputDir) {
      this.outputDir = outputDir;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<ShardInfo>> all, OutputReceiver<ShardInfo> out)
        throws IOException {
      String pattern = FileSystems.matchNewResource(outputDir, true)
          .resolve(PIECES_DIR + "/*", StandardResolveOptions.RESOLVE_FILE).toString();
      List<ResourceId> pieces = new ArrayList<>();
      FileSystems.match(List.of(pattern), org.apache.beam.sdk.io.fs.EmptyMatchTreatment.ALLOW).get(0)
          .metadata().forEach(m -> pieces.add(m.resourceId()));
      FileSystems.delete(pieces, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
      all.getValue().forEach(out::output);
    }
  }
}
