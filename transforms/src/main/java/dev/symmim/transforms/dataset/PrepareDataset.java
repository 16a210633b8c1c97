package dev.symmim.transforms.dataset;

import static com.google.common.base.Preconditions.checkArgument;

import dev.symmim.schemas.Example;
import dev.symmim.schemas.FailedRecord;
import dev.symmim.schemas.ShardInfo;
import dev.symmim.transforms.failures.WriteFailures;
import dev.symmim.transforms.images.ImagePreprocessor;
import dev.symmim.transforms.images.ImageSource;
import dev.symmim.transforms.images.ReadImages;
import java.util.List;
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
 * finally a manifest whose counts reconcile. Emits the manifest JSON.
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

  private PrepareDataset(Settings settings) {
    this.settings = settings;
  }

  public static PrepareDataset with(Settings settings) {
    return new PrepareDataset(settings);
  }

  @Override
  public PCollection<String> expand(PBegin begin) {
    WithFailures.Result<PCollection<Example>, FailedRecord> read =
        begin.apply("ReadImages",
            ReadImages.from(settings.source())
                .withPreprocessor(settings.preprocessor())
                .withMaxPixels(settings.maxPixels()));
    PCollectionView<Long> inputs =
        PCollectionList.of(read.output().apply("CountRead", Count.globally()))
            .and(read.failures().apply("CountFailed", Count.globally()))
            .apply("FlattenCounts", Flatten.pCollections())
            .apply("CountInputs", Combine.globally(Sum.ofLongs()).asSingletonView());

    PCollectionTuple deduplicated = read.output().apply("Deduplicate", DeduplicateExamples.create());
    PCollectionView<Long> duplicates =
        deduplicated.get(DeduplicateExamples.DUPLICATES)
            .apply("CountDuplicates", Combine.globally(Count.<KV<String, String>>combineFn()).asSingletonView());

    PCollection<Example> unique = deduplicated.get(DeduplicateExamples.UNIQUE);
    PCollectionView<List<String>> classes = AssignLabels.classesOf(unique);
    PCollection<Example> examples =
        unique
            .apply("AssignSplits",
                AssignSplits.create().withValFraction(settings.valFraction()).withSeed(settings.seed()))
            .apply("AssignLabels", AssignLabels.using(classes));

    PCollection<ShardInfo> shards =
        examples.apply("WriteShards",
            ShardExamples.to(settings.outputDir())
                .withNumShards(settings.numShards())
                .withTargetShardBytes(settings.targetShardBytes()));
    PCollection<ShardInfo> failedFiles =
        read.failures().apply("WriteFailures", WriteFailures.to(settings.outputDir()));
    PCollectionView<ChannelMoments> moments =
        examples.apply("ChannelMoments", Combine.globally(ChannelMoments.combineFn()).asSingletonView());

    WriteManifest.Parts parts = new WriteManifest.Parts(
        inputs, duplicates,
        shards.apply("ShardList", View.asList()),
        failedFiles.apply("FailedList", View.asList()),
        classes,
        examples
            .apply("SplitAndClass", MapElements.into(TypeDescriptors.strings())
                .via((Example e) -> e.getSplit() + "/" + (e.getLabelName() == null ? "" : e.getLabelName())))
            .apply("CountPerClass", Count.perElement())
            .apply("ClassCounts", View.asMap()),
        moments);
    return begin.apply("WriteManifest",
        WriteManifest.to(settings.outputDir(), parts,
            settings.preprocessor().imageSize(), settings.preprocessor().channels(),
            settings.preprocessor().storage().name(), settings.configJson()));
  }
}
