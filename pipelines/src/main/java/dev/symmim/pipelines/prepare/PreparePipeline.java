package dev.symmim.pipelines.prepare;

import dev.symmim.pipelines.options.Flags;
import dev.symmim.pipelines.options.OptionDocs;
import dev.symmim.pipelines.runner.BuildInfo;
import dev.symmim.pipelines.runner.Jobs;
import dev.symmim.transforms.dataset.DatasetPaths;
import dev.symmim.transforms.io.Locations;
import dev.symmim.transforms.training.DirectoryLock;
import dev.symmim.transforms.training.GcsEndpoint;
import org.apache.beam.sdk.extensions.gcp.options.GcsOptions;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.dataset.PrepareDataset;
import dev.symmim.transforms.images.ImagePreprocessor;
import dev.symmim.transforms.images.ImageSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import dev.symmim.transforms.progress.ProgressMeter;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code symmim prepare}: images to sharded Avro with a manifest and dead letters. */
public final class PreparePipeline {
  private static final Logger LOG = LoggerFactory.getLogger(PreparePipeline.class);

  private PreparePipeline() {}

  /** Checks flags that need no I/O; the message names the flag and its value. */
  static void validate(PrepareOptions o) {
    OptionDocs.requireAll(o, PrepareOptions.class);
    Flags.check(o.getImageSize() > 0, "imageSize", o.getImageSize(), "must be > 0");
    Flags.check(o.getChannels() == 1 || o.getChannels() == 3, "channels", o.getChannels(), "must be 1 or 3");
    Flags.check(o.getValFraction() >= 0 && o.getValFraction() < 1, "valFraction", o.getValFraction(),
        "must be in [0, 1)");
    Flags.check(o.getNumShards() >= 0, "numShards", o.getNumShards(), "must be >= 0 (0 = by --targetShardMB)");
    Flags.check(o.getTargetShardMB() > 0, "targetShardMB", o.getTargetShardMB(), "must be > 0");
    Flags.check(o.getMaxPixels() > 0, "maxPixels", o.getMaxPixels(), "must be > 0");
  }

  /** Builds the graph; resolves --input first so a bad path fails before any work. */
  public static Pipeline build(PrepareOptions o) throws IOException {
    validate(o);
    // Workers may run in other processes or machines (a Flink cluster): local paths must not be relative.
    o.setInput(Locations.absolute(o.getInput()));
    o.setOutput(Locations.absolute(o.getOutput()));
    FileSystems.setDefaultPipelineOptions(o);
    ImageSource source = ImageSource.resolve(o.getInput(), o.getFormat());
    ObjectNode config = DatasetManifest.json().createObjectNode();
    config.put("input", o.getInput());
    config.put("format", source.format().name());
    config.put("filepattern", source.filepattern());
    config.put("imageSize", o.getImageSize());
    config.put("channels", o.getChannels());
    config.put("valFraction", o.getValFraction());
    config.put("numShards", o.getNumShards());
    config.put("targetShardMB", o.getTargetShardMB());
    config.put("storage", o.getStorage().name());
    config.put("seed", o.getSeed());
    config.put("maxPixels", o.getMaxPixels());
    config.put("resize", "shorter side to imageSize (antialiased bilinear), center crop");
    config.put("symmimVersion", BuildInfo.version());
    Pipeline p = Pipeline.create(o);
    p.apply("Prepare", PrepareDataset.with(new PrepareDataset.Settings(
        source, o.getOutput(),
        new ImagePreprocessor(o.getImageSize(), o.getChannels(), o.getStorage()),
        o.getMaxPixels(), o.getValFraction(), o.getSeed(), o.getNumShards(),
        (long) o.getTargetShardMB() << 20, config.toString())));
    LOG.info("prepare: {} input files match {} (format {})", source.matchedFiles(), source.filepattern(),
        source.format());
    return p;
  }

  /**
   * Runs prepare to completion and returns the manifest it wrote; one writer per output directory.
   * Null when the runner only writes the job ({@link Jobs#submitOnly}: a Flex Template launch).
   */
  public static DatasetManifest run(PrepareOptions o) throws IOException {
    Pipeline p = build(o);
    String manifest = DatasetPaths.resolve(o.getOutput(), DatasetManifest.FILE_NAME).toString();
    Flags.check(o.getOverwrite() || !Locations.exists(manifest), "output", o.getOutput(),
        "already holds a prepared dataset (" + manifest + "); use --overwrite=true to replace it or another --output");
    try (DirectoryLock lock = DirectoryLock.acquire(o.getOutput(),
        GcsEndpoint.fromFlag(o.as(GcsOptions.class).getGcsEndpoint()), "symmim prepare")) {
      return run(o, p);
    }
  }

  private static DatasetManifest run(PrepareOptions o, Pipeline p) throws IOException {
    removePreviousOutput(o.getOutput());
    long start = System.nanoTime();
    try (ProgressMeter.Reporting progress = ProgressMeter.of("prepare").report(Long.getLong("symmim.progressSeconds", 10))) {
      Jobs.run(p, "prepare");
    }
    if (Jobs.submitOnly(o)) {
      return null;
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    DatasetManifest m = DatasetManifest.readFrom(o.getOutput());
    System.out.printf(
        "prepare: %d inputs -> train %d, val %d, failed %d, duplicates %d in %.1f s (%.0f inputs/s)%n",
        m.inputs(), m.splits().get("train").records(), m.splits().get("val").records(), m.failed(),
        m.duplicates(), seconds, m.inputs() / seconds);
    System.out.println("prepare: manifest " + DatasetPaths.resolve(o.getOutput(), DatasetManifest.FILE_NAME));
    return m;
  }

  /** Removes shards, dead letters and the manifest of an earlier run into the same directory. */
  static void removePreviousOutput(String output) throws IOException {
    List<ResourceId> old = new ArrayList<>();
    for (String pattern : List.of("train/*.avro", "val/*.avro", "failed/*.avro", DatasetManifest.FILE_NAME)) {
      String spec = DatasetPaths.resolve(output, pattern).toString();
      MatchResult m = FileSystems.match(List.of(spec), EmptyMatchTreatment.ALLOW).get(0);
      if (m.status() == MatchResult.Status.OK) {
        m.metadata().forEach(md -> old.add(md.resourceId()));
      }
    }
    if (!old.isEmpty()) {
      LOG.info("prepare: removing {} files of an earlier run in {}", old.size(), output);
      FileSystems.delete(old);
    }
  }
}
