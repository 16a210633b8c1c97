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
import dev.symmim.transforms.failures.WriteFailures;
import dev.symmim.transforms.images.ImagePreprocessor;
import dev.symmim.transforms.images.ImageSource;
import java.io.IOException;
import java.util.Objects;
import org.apache.beam.sdk.Pipeline;
import dev.symmim.transforms.progress.ProgressMeter;
import org.apache.beam.sdk.io.FileSystems;
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
    return build(o, "");
  }

  /** The graph writing shards and dead letters under {@code <output>/<dataPrefix>}. */
  private static Pipeline build(PrepareOptions o, String dataPrefix) throws IOException {
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
        (long) o.getTargetShardMB() << 20, config.toString())).withDataPrefix(dataPrefix));
    LOG.info("prepare: {} input files match {} (format {})", source.matchedFiles(), source.filepattern(),
        source.format());
    return p;
  }

  /**
   * Runs prepare to completion and returns the manifest it wrote; one writer per output directory.
   * A directory that already holds a dataset is refused unless {@code --overwrite=true}; the new
   * dataset is then written beside the old one (under {@code gen-<hex>/}) and its manifest, renamed
   * over the old one last, switches readers at once: they see the old dataset or the new one, never
   * a mix. The old files are removed after the switch. Null when the runner only writes or submits
   * the job ({@link Jobs#submitOnly}: a Flex Template launch); the old files then stay.
   */
  public static DatasetManifest run(PrepareOptions o) throws IOException {
    validate(o);
    o.setInput(Locations.absolute(o.getInput()));
    o.setOutput(Locations.absolute(o.getOutput()));
    FileSystems.setDefaultPipelineOptions(o);
    String manifest = DatasetPaths.resolve(o.getOutput(), DatasetManifest.FILE_NAME).toString();
    boolean holdsDataset = Locations.exists(manifest);
    Flags.check(o.getOverwrite() || !holdsDataset, "output", o.getOutput(),
        "already holds a prepared dataset (" + manifest + "); use --overwrite=true to replace it or another --output");
    String current = holdsDataset ? DatasetGenerations.of(o.getOutput()) : null;
    String next = current == null ? "" : DatasetGenerations.next(current);
    Pipeline p = build(o, next); // a bad --input fails here, before the output directory is touched
    try (DirectoryLock lock = DirectoryLock.acquire(o.getOutput(),
        GcsEndpoint.fromFlag(o.as(GcsOptions.class).getGcsEndpoint()), "symmim prepare")) {
      String now = Locations.exists(manifest) ? DatasetGenerations.of(o.getOutput()) : null;
      Flags.check(Objects.equals(current, now), "output", o.getOutput(),
          "was changed by another command while this one started; run it again");
      DatasetGenerations.removeAllBut(o.getOutput(), current); // what a killed run left behind
      DatasetManifest written = run(o, p, next);
      if (written != null) {
        DatasetGenerations.removeAllBut(o.getOutput(), next);
      }
      return written;
    }
  }

  private static DatasetManifest run(PrepareOptions o, Pipeline p, String generation) throws IOException {
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
    if (m.failed() > 0) {
      System.out.println("prepare: dead letters (source, stage, reason) " + DatasetPaths.resolve(o.getOutput(),
          generation + WriteFailures.PATH));
    }
    return m;
  }
}
