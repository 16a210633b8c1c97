package dev.symmim.transforms.images;

import static com.google.common.base.Preconditions.checkArgument;

import dev.symmim.schemas.Example;
import dev.symmim.schemas.FailedRecord;
import dev.symmim.transforms.failures.BadInputException;
import dev.symmim.transforms.failures.FailedRecords;
import dev.symmim.transforms.progress.ProgressMeter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Reads every image of an {@link ImageSource} into prepared {@link Example}s (split possibly
 * undecided, label not yet assigned), with a {@link FailedRecord} for each input that could not be
 * read. Every input unit (an image file, or a record inside an IDX/CIFAR file; a bad container file
 * counts once) ends in exactly one of the two outputs, so their sizes add up to the inputs.
 */
public final class ReadImages
    extends PTransform<PBegin, WithFailures.Result<PCollection<Example>, FailedRecord>> {
  static final TupleTag<Example> EXAMPLES = new TupleTag<>() {};
  static final TupleTag<FailedRecord> FAILED = new TupleTag<>() {};
  /** Files above this size are refused unread: no image we prepare needs 512 MiB of encoded bytes. */
  static final long MAX_FILE_BYTES = 512L << 20;

  private final ImageSource source;
  private final ImagePreprocessor preprocessor;
  private final long maxPixels;

  private ReadImages(ImageSource source, ImagePreprocessor preprocessor, long maxPixels) {
    this.source = source;
    this.preprocessor = preprocessor;
    this.maxPixels = maxPixels;
  }

  /** Reads {@code source}, preparing 32 px grey raw images by default. */
  public static ReadImages from(ImageSource source) {
    checkArgument(source.format() != ImageFormat.auto, "resolve the format before reading: %s", source);
    return new ReadImages(source, new ImagePreprocessor(32, 1, PixelStorage.raw), 64L << 20);
  }

  public ReadImages withPreprocessor(ImagePreprocessor preprocessor) {
    return new ReadImages(source, Objects.requireNonNull(preprocessor), maxPixels);
  }

  /** Refuse images whose declared width x height exceeds this, before decoding them. */
  public ReadImages withMaxPixels(long maxPixels) {
    checkArgument(maxPixels > 0, "maxPixels must be > 0, got %s", maxPixels);
    return new ReadImages(source, preprocessor, maxPixels);
  }

  @Override
  public WithFailures.Result<PCollection<Example>, FailedRecord> expand(PBegin input) {
    PCollection<FileIO.ReadableFile> files =
        input
            .apply("MatchFiles",
                FileIO.match().filepattern(source.filepattern())
                    .withEmptyMatchTreatment(EmptyMatchTreatment.ALLOW_IF_WILDCARD))
            .apply("OpenFiles", FileIO.readMatches().withCompression(Compression.UNCOMPRESSED));
    AvroCoder<FailedRecord> failedCoder = AvroCoder.of(FailedRecord.class);
    if (source.format() == ImageFormat.folder) {
      PCollectionTuple decoded =
          files.apply("DecodeImages",
              ParDo.of(new DecodeImageFileFn(source, preprocessor, maxPixels))
                  .withOutputTags(EXAMPLES, TupleTagList.of(FAILED)));
      decoded.get(EXAMPLES).setCoder(AvroCoder.of(Example.class));
      decoded.get(FAILED).setCoder(failedCoder);
      return WithFailures.Result.of(decoded, EXAMPLES, FAILED);
    }
    DoFn<FileIO.ReadableFile, Example> reader =
        source.format() == ImageFormat.idx
            ? new ReadIdxFileFn(source, preprocessor, maxPixels)
            : new ReadCifarFileFn(source, preprocessor);
    PCollectionTuple records =
        files.apply(source.format() == ImageFormat.idx ? "ReadIdxRecords" : "ReadCifarRecords",
            ParDo.of(reader).withOutputTags(EXAMPLES, TupleTagList.of(FAILED)));
    records.get(EXAMPLES).setCoder(AvroCoder.of(Example.class));
    records.get(FAILED).setCoder(failedCoder);
    return WithFailures.Result.of(records, EXAMPLES, FAILED);
  }

  /** The label of a folder image: its parent folder's name, or null for a file at the root. */
  static @Nullable String folderLabel(String relativeId) {
    int slash = relativeId.lastIndexOf('/');
    if (slash < 0) {
      return null;
    }
    int parent = relativeId.lastIndexOf('/', slash - 1);
    return relativeId.substring(parent + 1, slash);
  }

  /** The split an IDX/CIFAR file name implies: test files are validation data. */
  static @Nullable String splitFromName(String name) {
    String lower = name.toLowerCase(java.util.Locale.ROOT);
    if (lower.startsWith("t10k") || lower.contains("test")) {
      return "val";
    }
    if (lower.contains("train") || lower.startsWith("data_batch")) {
      return "train";
    }
    return null;
  }

  static String fileName(String uri) {
    return uri.substring(uri.lastIndexOf('/') + 1);
  }

  /**
   * Reads one input file into examples and dead letters; holds what every reader needs: the
   * source, a preprocessor per instance and the failure bookkeeping.
   */
  abstract static class ReadFileFn extends DoFn<FileIO.ReadableFile, Example> {
    private final Counter failed = Metrics.counter(ReadImages.class, "failed");
    final ImageSource source;
    private final ImagePreprocessor prototype;
    transient ImagePreprocessor preprocessor;

    ReadFileFn(ImageSource source, ImagePreprocessor preprocessor) {
      this.source = source;
      this.prototype = preprocessor;
    }

    @Setup
    public final void setup() {
      preprocessor = prototype.copy();
      setupReader();
    }

    /** Per-instance set-up of a subclass. */
    void setupReader() {}

    void fail(MultiOutputReceiver out, String stage, String uri, String hash, BadInputException e) {
      out.get(FAILED).output(FailedRecords.of(stage, uri, hash, e));
      failed.inc();
      ProgressMeter.of("prepare").add("failed", 1);
    }
  }

  /** Decodes and prepares one image file of a folder source. */
  static class DecodeImageFileFn extends ReadFileFn {
    private final Counter decoded = Metrics.counter(ReadImages.class, "decoded");
    private final long maxPixels;
    private transient ImageDecoder decoder;

    DecodeImageFileFn(ImageSource source, ImagePreprocessor preprocessor, long maxPixels) {
      super(source, preprocessor);
      this.maxPixels = maxPixels;
    }

    @Override
    void setupReader() {
      decoder = new ImageDecoder(maxPixels);
    }

    @ProcessElement
    public void process(@Element FileIO.ReadableFile file, MultiOutputReceiver out) throws IOException {
      String uri = file.getMetadata().resourceId().toString();
      ProgressMeter progress = ProgressMeter.of("prepare");
      progress.add("read", 1);
      String hash = null;
      try {
        if (file.getMetadata().sizeBytes() > MAX_FILE_BYTES) {
          throw new BadInputException(
              "too-large", "file of " + file.getMetadata().sizeBytes() + " bytes exceeds " + MAX_FILE_BYTES);
        }
        byte[] bytes = file.readFullyAsBytes();
        hash = preprocessor.sha256Hex(bytes);
        RasterImage image = decoder.decode(bytes);
        String id = source.relativeId(uri);
        out.get(EXAMPLES).output(preprocessor.toExample(id, uri, folderLabel(id), -1, null, image));
        decoded.inc();
      } catch (BadInputException e) {
        fail(out, "decode", uri, hash, e);
      }
    }
  }

  /** Streams an IDX image file (with its label file, found by name) into decoded images. */
  static class ReadIdxFileFn extends ReadFileFn {
    private final Counter records = Metrics.counter(ReadImages.class, "idx-records");
    private final Counter labelFiles = Metrics.counter(ReadImages.class, "idx-side-files");
    private final long maxPixels;

    ReadIdxFileFn(ImageSource source, ImagePreprocessor preprocessor, long maxPixels) {
      super(source, preprocessor);
      this.maxPixels = maxPixels;
    }

    @ProcessElement
    public void process(@Element FileIO.ReadableFile file, MultiOutputReceiver out) throws IOException {
      String uri = file.getMetadata().resourceId().toString();
      String name = fileName(uri);
      if (name.contains("idx1-ubyte") || name.equals("classes.txt") || name.endsWith(".md")) {
        labelFiles.inc(); // labels, class names and documentation are read with the image files
        return;
      }
      ProgressMeter progress = ProgressMeter.of("prepare");
      if (!name.contains("idx3-ubyte")) {
        fail(out, "read-idx", uri, null,
            new BadInputException("unsupported", "not an IDX image file (name lacks 'idx3-ubyte')"));
        return;
      }
      ResourceId labelsId = labelFileFor(file.getMetadata().resourceId());
      List<String> classNames = readLines(file.getMetadata().resourceId(), "classes.txt");
      String split = splitFromName(name);
      String idPrefix = source.relativeId(uri).replaceFirst("\\.gz$", "");
      try (InputStream images = Channels.newInputStream(file.open());
          InputStream labels = labelsId == null ? null : Channels.newInputStream(FileSystems.open(labelsId));
          IdxFile idx = IdxFile.open(images, labels, maxPixels)) {
        int digits = Math.max(1, String.valueOf(Math.max(0, idx.count() - 1)).length());
        String format = "%s#%0" + digits + "d";
        while (idx.hasNext()) {
          IdxFile.Record r;
          try {
            r = idx.next();
          } catch (BadInputException e) {
            fail(out, "read-idx", uri, null, e);
            return;
          }
          out.get(EXAMPLES).output(preprocessor.toExample(
              String.format(format, idPrefix, r.index()), uri + "#" + r.index(),
              r.label() < 0 ? null : nameOf(classNames, r.label()), r.label(), split, r.image()));
          records.inc();
          progress.add("read", 1);
        }
      } catch (BadInputException e) {
        fail(out, "read-idx", uri, null, e);
      }
    }

    /** {@code train-images-idx3-ubyte.gz} -> {@code train-labels-idx1-ubyte(.gz)}, if it exists. */
    static @Nullable ResourceId labelFileFor(ResourceId images) throws IOException {
      String name = images.getFilename();
      String base = name.replace("idx3-ubyte", "idx1-ubyte").replace("images", "labels");
      String stem = base.replaceFirst("\\.gz$", "");
      for (String candidate : List.of(base, stem, stem + ".gz")) {
        ResourceId id = images.getCurrentDirectory().resolve(candidate,
            org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions.RESOLVE_FILE);
        MatchResult m = FileSystems.match(List.of(id.toString()), EmptyMatchTreatment.ALLOW).get(0);
        if (m.status() == MatchResult.Status.OK && !m.metadata().isEmpty()) {
          return m.metadata().get(0).resourceId();
        }
      }
      return null;
    }
  }

  /** Streams a CIFAR batch file into decoded images; class names from the batch's meta file. */
  static class ReadCifarFileFn extends ReadFileFn {
    private final Counter records = Metrics.counter(ReadImages.class, "cifar-records");
    private final Counter metaFiles = Metrics.counter(ReadImages.class, "cifar-meta-files");

    ReadCifarFileFn(ImageSource source, ImagePreprocessor preprocessor) {
      super(source, preprocessor);
    }

    @ProcessElement
    public void process(@Element FileIO.ReadableFile file, MultiOutputReceiver out) throws IOException {
      String uri = file.getMetadata().resourceId().toString();
      String name = fileName(uri);
      if (name.endsWith(".txt") || name.endsWith(".meta") || name.endsWith(".html") || name.endsWith(".md")) {
        metaFiles.inc(); // class names and documentation, read alongside the batches
        return;
      }
      ProgressMeter progress = ProgressMeter.of("prepare");
      try {
        CifarFile.Variant variant = CifarFile.Variant.detect(name, file.getMetadata().sizeBytes());
        List<String> classNames = readLines(file.getMetadata().resourceId(),
            variant == CifarFile.Variant.CIFAR10 ? "batches.meta.txt" : "fine_label_names.txt");
        String split = splitFromName(name);
        String idPrefix = source.relativeId(uri);
        try (CifarFile cifar = new CifarFile(Channels.newInputStream(file.open()), variant)) {
          CifarFile.Record r;
          while ((r = cifar.next()) != null) {
            out.get(EXAMPLES).output(preprocessor.toExample(
                String.format("%s#%05d", idPrefix, r.index()), uri + "#" + r.index(),
                nameOf(classNames, r.label()), r.label(), split, r.image()));
            records.inc();
            progress.add("read", 1);
          }
        }
      } catch (BadInputException e) {
        fail(out, "read-cifar", uri, null, e);
      }
    }
  }

  /** The class name of a source label: from the source's name list, else the number itself. */
  static String nameOf(List<String> classNames, int label) {
    return label < classNames.size() ? classNames.get(label) : Integer.toString(label);
  }

  /**
   * Non-blank lines of the file {@code name} beside {@code sibling} (class names: {@code classes.txt}
   * for IDX, {@code batches.meta.txt} / {@code fine_label_names.txt} for CIFAR); empty if absent.
   */
  static List<String> readLines(ResourceId sibling, String name) throws IOException {
    ResourceId meta = sibling.getCurrentDirectory().resolve(name,
        org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions.RESOLVE_FILE);
    MatchResult m = FileSystems.match(List.of(meta.toString()), EmptyMatchTreatment.ALLOW).get(0);
    List<String> lines = new ArrayList<>();
    if (m.status() != MatchResult.Status.OK || m.metadata().isEmpty()) {
      return lines;
    }
    try (InputStream in = Channels.newInputStream(FileSystems.open(m.metadata().get(0).resourceId()))) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank()) {
          lines.add(line.strip());
        }
      }
    }
    return lines;
  }
}
