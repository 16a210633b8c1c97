package dev.symmim.transforms.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import dev.symmim.schemas.ShardInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * Writes {@code manifest.json} once every shard and the dead-letter file exist (their infos are
 * side inputs), after checking that the counts reconcile; a job whose counts do not add up fails
 * here instead of publishing a manifest. Emits the manifest's JSON.
 */
public final class WriteManifest extends PTransform<PBegin, PCollection<String>> {
  /** The parts of a manifest, each computed by the pipeline. */
  public record Parts(
      PCollectionView<Long> inputs,
      PCollectionView<Long> duplicates,
      PCollectionView<List<ShardInfo>> shards,
      PCollectionView<List<ShardInfo>> failedFiles,
      PCollectionView<List<String>> classes,
      PCollectionView<Map<String, Long>> classCounts,
      PCollectionView<ChannelMoments> moments) implements java.io.Serializable {}

  private final String outputDir;
  private final String dataPrefix;
  private final Parts parts;
  private final int imageSize;
  private final int channels;
  private final String storage;
  private final String configJson;

  private WriteManifest(String outputDir, String dataPrefix, Parts parts, int imageSize, int channels, String storage,
      String configJson) {
    this.outputDir = outputDir;
    this.dataPrefix = dataPrefix;
    this.parts = parts;
    this.imageSize = imageSize;
    this.channels = channels;
    this.storage = storage;
    this.configJson = configJson;
  }

  /**
   * A manifest in {@code outputDir} naming shards written under {@code <outputDir>/<dataPrefix>}
   * (shard paths are relative to that directory; empty: the same); {@code configJson} is recorded
   * verbatim under "config".
   */
  public static WriteManifest to(String outputDir, String dataPrefix, Parts parts, int imageSize, int channels,
      String storage, String configJson) {
    return new WriteManifest(outputDir, dataPrefix, parts, imageSize, channels, storage, configJson);
  }

  @Override
  public PCollection<String> expand(PBegin input) {
    return input
        .apply("Trigger", Create.of(outputDir).withCoder(StringUtf8Coder.of()))
        .apply("AssembleAndWrite",
            ParDo.of(new WriteFn(dataPrefix, parts, imageSize, channels, storage, configJson))
                .withSideInputs(parts.inputs(), parts.duplicates(), parts.shards(), parts.failedFiles(),
                    parts.classes(), parts.classCounts(), parts.moments()))
        .setCoder(StringUtf8Coder.of());
  }

  /** Builds the manifest from its parts (public for tests and tools). */
  public static DatasetManifest assemble(
      long inputs, long duplicates, List<ShardInfo> shards, List<ShardInfo> failedFiles,
      List<String> classes, Map<String, Long> classCounts, ChannelMoments moments, int imageSize,
      int channels, String storage,
      JsonNode config) {
    Map<String, DatasetManifest.Split> splits = new LinkedHashMap<>();
    for (String split : List.of(SplitRule.TRAIN, SplitRule.VAL)) {
      List<ShardInfo> mine = new ArrayList<>();
      for (ShardInfo s : shards) {
        if (s.getSplit().equals(split)) {
          mine.add(s);
        }
      }
      mine.sort(Comparator.comparingInt(ShardInfo::getShard));
      List<DatasetManifest.Shard> entries = new ArrayList<>();
      long records = 0;
      for (ShardInfo s : mine) {
        entries.add(new DatasetManifest.Shard(s.getPath(), s.getRecords(), s.getBytes(), s.getSha256()));
        records += s.getRecords();
      }
      Map<String, Long> perClass = new LinkedHashMap<>();
      for (String name : classes) {
        Long n = classCounts.get(split + "/" + name);
        if (n != null) {
          perClass.put(name, n);
        }
      }
      splits.put(split, new DatasetManifest.Split(records, perClass, entries));
    }
    long failed = failedFiles.stream().mapToLong(ShardInfo::getRecords).sum();
    return new DatasetManifest(inputs, failed, duplicates, splits, classes, imageSize, channels, storage,
        moments.mean(), moments.std(), config);
  }

  static class WriteFn extends DoFn<String, String> {
    private final String dataPrefix;
    private final Parts parts;
    private final int imageSize;
    private final int channels;
    private final String storage;
    private final String configJson;

    WriteFn(String dataPrefix, Parts parts, int imageSize, int channels, String storage, String configJson) {
      this.dataPrefix = dataPrefix;
      this.parts = parts;
      this.imageSize = imageSize;
      this.channels = channels;
      this.storage = storage;
      this.configJson = configJson;
    }

    @ProcessElement
    public void process(ProcessContext c) throws IOException {
      List<ShardInfo> shards = new ArrayList<>();
      for (ShardInfo s : c.sideInput(parts.shards())) {
        shards.add(ShardInfo.newBuilder(s).setPath(dataPrefix + s.getPath()).build());
      }
      DatasetManifest manifest = assemble(
          c.sideInput(parts.inputs()), c.sideInput(parts.duplicates()), shards,
          c.sideInput(parts.failedFiles()), c.sideInput(parts.classes()), c.sideInput(parts.classCounts()), c.sideInput(parts.moments()),
          imageSize, channels, storage, DatasetManifest.json().readTree(configJson));
      if (!manifest.reconciles()) {
        throw new IllegalStateException(String.format(
            "counts do not reconcile: inputs=%d but records=%d + failed=%d + duplicates=%d = %d; "
                + "refusing to write %s", manifest.inputs(), manifest.records(), manifest.failed(),
            manifest.duplicates(), manifest.records() + manifest.failed() + manifest.duplicates(),
            DatasetManifest.FILE_NAME));
      }
      manifest.writeTo(c.element());
      c.output(manifest.toJson());
    }
  }
}
