package dev.symmim.transforms.dataset;

import static com.google.common.base.Preconditions.checkArgument;

import dev.symmim.schemas.Example;
import dev.symmim.schemas.ExampleSummary;
import dev.symmim.schemas.FailedRecord;
import dev.symmim.schemas.ShardInfo;
import dev.symmim.transforms.failures.WriteFailures;
import dev.symmim.transforms.images.ImagePreprocessor;
import dev.symmim.transforms.images.ImageSource;
import dev.symmim.transforms.images.ReadImages;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The {@code prepare} stage: read and decode images, prepare them (channels, resize, crop),
 * deduplicate by content, split, label, write equal deterministic shards and dead letters, and
 * finally a manifest whose counts reconcile. Emits the manifest JSON. Full examples cross one
 * shuffle (into placement groups); deduplication, splits, classes and the shard layout are
 * decided on pixel-free summaries.
 */
public final class PrepareDataset extends PTransform<PBegin, PCollection<String>> {
  /** Everything that shapes the output; validated on construction. */
  public record Settings(
      ImageSource source,
      String outputDir,
      ImagePreprocessor preprocessor,
      long maxPixels,
      double valFraction,
      long seed,
      int numShards,
      long targetShardBytes,
      String configJson) {
    public Settings {
      checkArgument(maxPixels > 0, "maxPixels must be > 0, got %s", maxPixels);
      checkArgument(valFraction >= 0 && valFraction < 1, "valFraction must be in [0, 1), got %s", valFraction);
      checkArgument(numShards >= 0, "numShards must be >= 0, got %s", numShards);
      checkArgument(targetShardBytes > 0, "targetShardBytes must be > 0, got %s", targetShardBytes);
    }
  }

  private final Settings settings;
  private final String dataPrefix;

  private PrepareDataset(Settings settings, String dataPrefix) {
    this.settings = settings;
    this.dataPrefix = dataPrefix;
  }

  public static PrepareDataset with(Settings settings) {
    return new PrepareDataset(settings, "");
  }

  /**
   * Shards and dead letters under {@code <outputDir>/<prefix>} (e.g. {@code gen-18c2f/}), named so in
   * the manifest: a dataset replacing another in the same directory writes beside it, and the
   * manifest, renamed into place last, switches readers from the old files to the new at once.
   */
  public PrepareDataset withDataPrefix(String prefix) {
    checkArgument(prefix.isEmpty() || (prefix.endsWith("/") && !prefix.startsWith("/") && !prefix.contains("..")),
        "data prefix must be empty or a relative directory ending in '/', got '%s'", prefix);
    return new PrepareDataset(settings, prefix);
  }

  @Override
  public PCollection<String> expand(PBegin begin) {
    WithFailures.Result<PCollection<Example>, FailedRecord> read =
        begin.apply("ReadImages",
            ReadImages.from(settings.source())
                .withPreprocessor(settings.preprocessor())
                .withMaxPixels(settings.maxPixels()));
    PCollection<Example> examples = read.output();
    PCollectionView<Long> inputs =
        PCollectionList.of(examples.apply("CountRead", Count.globally()))
            .and(read.failures().apply("CountFailed", Count.globally()))
            .apply("FlattenCounts", Flatten.pCollections())
            .apply("CountInputs", Combine.globally(Sum.ofLongs()).asSingletonView());

    // The plan: which examples are kept, their splits and classes, from pixel-free summaries.
    SplitRule splits = new SplitRule(settings.valFraction(), settings.seed());
    PCollectionTuple deduplicated = examples.apply("Deduplicate", DeduplicateExamples.with(splits));
    PCollection<ExampleSummary> kept = deduplicated.get(DeduplicateExamples.KEPT);
    PCollectionView<Long> duplicates =
        deduplicated.get(DeduplicateExamples.DUPLICATES)
            .apply("CountDuplicates", Combine.globally(Count.<KV<String, String>>combineFn()).asSingletonView());
    PCollectionView<List<String>> classes = ClassList.of(kept);
    PCollectionView<Map<String, Long>> bucketCounts =
        kept.apply("BucketKeys", MapElements.into(TypeDescriptors.strings())
                .via((ExampleSummary e) -> ShardLayout.bucketKey(e.getSplit(), e.getContentHash())))
            .apply("CountPerBucket", Count.perElement())
            .apply("BucketCounts", View.asMap());
    PCollectionView<Map<String, Long>> splitBytes =
        kept.apply("SplitBytes", MapElements
                .into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.longs()))
                .via((ExampleSummary e) -> KV.of(e.getSplit(), e.getPayloadBytes())))
            .apply("SumPerSplit", Sum.longsPerKey())
            .apply("BytesPerSplit", View.asMap());
    PCollectionView<Map<String, Long>> classCounts =
        kept.apply("SplitAndClass", MapElements.into(TypeDescriptors.strings())
                .via((ExampleSummary e) -> e.getSplit() + "/" + (e.getLabelName() == null ? "" : e.getLabelName())))
            .apply("CountPerClass", Count.perElement())
            .apply("ClassCounts", View.asMap());

    // The pixels: one shuffle into placement groups, then pieces, then shards.
    int groups = ShardLayout.groupsFor(settings.source().totalBytes());
    String dataDir = DatasetPaths.subdirectory(settings.outputDir(), dataPrefix);
    PCollectionTuple sharded =
        examples.apply("WriteShards",
            ShardExamples.to(dataDir,
                    new ShardExamples.Plan(splits, groups, classes, bucketCounts, splitBytes))
                .withNumShards(settings.numShards())
                .withTargetShardBytes(settings.targetShardBytes()));
    PCollectionView<ChannelMoments> moments =
        sharded.get(ShardExamples.MOMENTS)
            .apply("ChannelMoments", Combine.globally(ChannelMoments.mergeFn()).asSingletonView());
    PCollection<ShardInfo> failedFiles =
        read.failures().apply("WriteFailures", WriteFailures.to(dataDir));

    WriteManifest.Parts parts = new WriteManifest.Parts(
        inputs, duplicates,
        sharded.get(ShardExamples.SHARDS).apply("ShardList", View.asList()),
        failedFiles.apply("FailedList", View.asList()),
        classes, classCounts, moments);
    return begin.apply("WriteManifest",
        WriteManifest.to(settings.outputDir(), dataPrefix, parts,
            settings.preprocessor().imageSize(), settings.preprocessor().channels(),
            settings.preprocessor().storage().name(), settings.configJson()));
  }
}
