package dev.symmim.transforms.dataset;

import static com.google.common.base.Preconditions.checkArgument;

import dev.symmim.schemas.Example;
import dev.symmim.schemas.ShardInfo;
import dev.symmim.schemas.ShardPiece;
import dev.symmim.transforms.failures.BadInputException;
import dev.symmim.transforms.images.ImagePreprocessor;
import dev.symmim.transforms.progress.ProgressMeter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Writes examples to {@code <dir>/<split>/<split>-SSSSS-of-NNNNN.avro} with equal record counts
 * per shard (+-1) and bytes that depend only on the examples and the shard settings, whatever the
 * runner or its parallelism (see {@link ShardLayout} for the placement). The input holds every
 * example, duplicates included: a placement group holds whole buckets of content hashes, so it
 * applies the deduplication rule itself (first by id), gives kept examples their split and label,
 * sorts them into position order and writes its run of each shard as a piece; each shard is then
 * the raw block concatenation of its pieces, so no worker ever holds a whole shard. Emits one
 * {@link ShardInfo} per shard file ({@link #SHARDS}), after the pieces are removed, and the
 * channel moments of the kept examples ({@link #MOMENTS}).
 */
public final class ShardExamples extends PTransform<PCollection<Example>, PCollectionTuple> {
  public static final TupleTag<ShardInfo> SHARDS = new TupleTag<>() {};
  public static final TupleTag<ChannelMoments> MOMENTS = new TupleTag<>() {};
  static final TupleTag<KV<String, ShardPiece>> PIECES = new TupleTag<>() {};
  static final String PIECES_DIR = ".pieces";

  /** What placement needs from the rest of the pipeline: the split rule and three side inputs. */
  public record Plan(
      SplitRule splits,
      int groups,
      PCollectionView<List<String>> classes,
      PCollectionView<Map<String, Long>> bucketCounts,
      PCollectionView<Map<String, Long>> splitBytes) implements java.io.Serializable {}

  private final String outputDir;
  private final Plan plan;
  private final int numShards;
  private final long targetShardBytes;

  private ShardExamples(String outputDir, Plan plan, int numShards, long targetShardBytes) {
    this.outputDir = outputDir;
    this.plan = plan;
    this.numShards = numShards;
    this.targetShardBytes = targetShardBytes;
  }

  /** Shards of at most 128 MiB under {@code outputDir}, placed by {@code plan}. */
  public static ShardExamples to(String outputDir, Plan plan) {
    return new ShardExamples(outputDir, plan, 0, 128L << 20);
  }

  /** Exactly {@code n} shards per split (fewer only when a split has fewer examples); 0 = by size. */
  public ShardExamples withNumShards(int n) {
    checkArgument(n >= 0, "numShards must be >= 0 (0 = by target size), got %s", n);
    return new ShardExamples(outputDir, plan, n, targetShardBytes);
  }

  /** With {@code numShards == 0}: as many shards as needed to keep each under this size. */
  public ShardExamples withTargetShardBytes(long bytes) {
    checkArgument(bytes > 0, "target shard size must be > 0 bytes, got %s", bytes);
    return new ShardExamples(outputDir, plan, numShards, bytes);
  }

  /** Relative path of a shard, e.g. {@code train/train-00000-of-00004.avro}. */
  public static String shardPath(String split, int shard, int shards) {
    return String.format("%s/%s-%05d-of-%05d.avro", split, split, shard, shards);
  }

  @Override
  public PCollectionTuple expand(PCollection<Example> input) {
    int groups = plan.groups();
    PCollectionTuple placed =
        input
            .apply("KeyByGroup", WithKeys.of((Example e) ->
                    ShardLayout.groupOf(ShardLayout.bucketOf(e.getContentHash()), groups))
                .withKeyType(TypeDescriptors.integers()))
            .setCoder(KvCoder.of(VarIntCoder.of(), AvroCoder.of(Example.class)))
            .apply("GroupForPlacement", GroupByKey.create())
            .apply("WritePieces",
                ParDo.of(new WritePiecesFn(plan, outputDir, numShards, targetShardBytes))
                    .withSideInputs(plan.classes(), plan.bucketCounts(), plan.splitBytes())
                    .withOutputTags(PIECES, TupleTagList.of(MOMENTS)));
    placed.get(MOMENTS).setCoder(SerializableCoder.of(ChannelMoments.class));
    PCollection<ShardInfo> shards =
        placed.get(PIECES)
            .setCoder(KvCoder.of(StringUtf8Coder.of(), AvroCoder.of(ShardPiece.class)))
            .apply("GroupPieces", GroupByKey.create())
            .apply("ConcatenatePieces", ParDo.of(new ConcatenateFn(outputDir)))
            .setCoder(AvroCoder.of(ShardInfo.class))
            .apply("AllShards", WithKeys.<String, ShardInfo>of("shards").withKeyType(TypeDescriptors.strings()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), AvroCoder.of(ShardInfo.class)))
            .apply("GatherShards", GroupByKey.create())
            .apply("RemovePieces", ParDo.of(new RemovePiecesFn(outputDir)))
            .setCoder(AvroCoder.of(ShardInfo.class));
    return PCollectionTuple.of(SHARDS, shards).and(MOMENTS, placed.get(MOMENTS));
  }

  /**
   * Deduplicates a placement group, gives kept examples their split and label, sorts each split
   * into position order and writes its run of each shard as a piece.
   */
  static class WritePiecesFn extends DoFn<KV<Integer, Iterable<Example>>, KV<String, ShardPiece>> {
    private final Plan plan;
    private final String outputDir;
    private final int fixedShards;
    private final long targetBytes;
    private transient Map<String, Long> seenCounts;
    private transient ShardLayout layout;
    private transient List<String> seenClasses;
    private transient Map<String, Integer> classIndex;

    WritePiecesFn(Plan plan, String outputDir, int fixedShards, long targetBytes) {
      this.plan = plan;
      this.outputDir = outputDir;
      this.fixedShards = fixedShards;
      this.targetBytes = targetBytes;
    }

    @ProcessElement
    public void process(ProcessContext c) throws IOException, BadInputException {
      Map<String, Long> counts = c.sideInput(plan.bucketCounts());
      if (layout == null || counts != seenCounts) {
        layout = new ShardLayout(counts, c.sideInput(plan.splitBytes()), plan.groups());
        seenCounts = counts;
      }
      List<String> classes = c.sideInput(plan.classes());
      if (classIndex == null || classes != seenClasses) {
        classIndex = ClassList.index(classes);
        seenClasses = classes;
      }
      List<Example> all = new ArrayList<>();
      c.element().getValue().forEach(all::add);
      all.sort(DeduplicateExamples.KEEP_ORDER);
      Map<String, List<KV<Integer, Example>>> bySplit = new TreeMap<>();
      ChannelMoments moments = new ChannelMoments();
      String previousHash = null;
      for (Example e : all) {
        if (e.getContentHash().equals(previousHash)) {
          continue; // a duplicate: DeduplicateExamples counted it
        }
        previousHash = e.getContentHash();
        String split = plan.splits().splitOf(e.getId(), e.getSplit());
        int label = e.getLabelName() == null ? -1 : classIndex.get(e.getLabelName());
        Example kept = Example.newBuilder(e).setSplit(split).setLabel(label).build();
        moments.add(ImagePreprocessor.rawPixels(kept));
        bySplit.computeIfAbsent(split, s -> new ArrayList<>())
            .add(KV.of(ShardLayout.bucketOf(e.getContentHash()), kept));
      }
      c.output(MOMENTS, moments);
      for (Map.Entry<String, List<KV<Integer, Example>>> entry : bySplit.entrySet()) {
        writePieces(c, entry.getKey(), entry.getValue());
      }
    }

    private void writePieces(ProcessContext c, String split, List<KV<Integer, Example>> keyed) throws IOException {
      keyed.sort(Comparator.comparing((KV<Integer, Example> kv) -> kv.getKey())
          .thenComparing(kv -> kv.getValue().getId()));
      long count = layout.count(split);
      int shards = layout.numShards(split, fixedShards, targetBytes);
      long position = layout.offset(split, keyed.get(0).getKey());
      int group = c.element().getKey();
      int from = 0;
      while (from < keyed.size()) {
        int shard = ShardLayout.shardOf(position, count, shards);
        int to = from;
        List<Example> run = new ArrayList<>();
        while (to < keyed.size() && ShardLayout.shardOf(position + (to - from), count, shards) == shard) {
          run.add(keyed.get(to).getValue());
          to++;
        }
        String name = String.format("%s-%05d-of-%05d-g%05d.avro", split, shard, shards, group);
        ResourceId piece = DatasetPaths.resolve(outputDir, PIECES_DIR + "/" + name);
        AvroShardWriter.Written w = AvroShardWriter.write(piece, Example.getClassSchema(), run);
        c.output(KV.of(split + "/" + shard, ShardPiece.newBuilder()
            .setSplit(split).setShard(shard).setNumShards(shards).setFirstPosition(position)
            .setRecords(w.records()).setPath(piece.toString()).build()));
        position += to - from;
        ProgressMeter.of("prepare").add("placed", to - from);
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
      ResourceId target = DatasetPaths.resolve(outputDir, path);
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
      out.output(w.toShardInfo(first.getSplit(), first.getShard(), first.getNumShards(), path));
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
      String pattern = DatasetPaths.resolve(outputDir, PIECES_DIR + "/*").toString();
      List<ResourceId> pieces = new ArrayList<>();
      FileSystems.match(List.of(pattern), org.apache.beam.sdk.io.fs.EmptyMatchTreatment.ALLOW).get(0)
          .metadata().forEach(m -> pieces.add(m.resourceId()));
      FileSystems.delete(pieces, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
      all.getValue().forEach(out::output);
    }
  }
}
