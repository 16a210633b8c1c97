package dev.symmim.transforms.embed;

import dev.symmim.schemas.Embedding;
import dev.symmim.schemas.Example;
import dev.symmim.schemas.FailedRecord;
import dev.symmim.transforms.failures.BadInputException;
import dev.symmim.transforms.failures.FailedRecords;
import dev.symmim.transforms.images.ImagePreprocessor;
import dev.symmim.transforms.images.RasterImage;
import dev.symmim.transforms.progress.ProgressMeter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Batched inference: each batch of examples (formed upstream) becomes {@link Embedding}s in one
 * forward pass. The checkpoint is loaded once per JVM and shared; every DoFn instance builds its own
 * predictor in {@code @Setup}. An example that does not decode, has the wrong channel count (or, for
 * pixel vectors, the wrong size) or gives a non-finite vector becomes a dead letter.
 *
 * <p>Metrics (namespace {@code embed}): {@code embedded}, {@code failed}, {@code batchMillis},
 * {@code modelLoadMillis}.
 */
public final class ComputeEmbeddings extends PTransform<PCollection<List<Example>>, PCollectionTuple> {
  public static final TupleTag<Embedding> EMBEDDINGS = new TupleTag<>() {};
  public static final TupleTag<FailedRecord> FAILURES = new TupleTag<>() {};
  public static final String STAGE = "embed";

  private final Embedder.Spec spec;
  private final String modelId;

  private ComputeEmbeddings(Embedder.Spec spec, String modelId) {
    this.spec = spec;
    this.modelId = modelId;
  }

  /** Embeddings by {@code spec}'s encoder, each tagged with {@code modelId}. */
  public static ComputeEmbeddings with(Embedder.Spec spec, String modelId) {
    return new ComputeEmbeddings(spec, modelId);
  }

  @Override
  public PCollectionTuple expand(PCollection<List<Example>> batches) {
    PCollectionTuple out = batches.apply("Embed",
        ParDo.of(new EmbedFn(spec, modelId)).withOutputTags(EMBEDDINGS, TupleTagList.of(FAILURES)));
    out.get(EMBEDDINGS).setCoder(AvroCoder.of(Embedding.class));
    out.get(FAILURES).setCoder(AvroCoder.of(FailedRecord.class));
    return out;
  }

  static class EmbedFn extends DoFn<List<Example>, Embedding> {
    private final Counter embedded = Metrics.counter(STAGE, "embedded");
    private final Counter failed = Metrics.counter(STAGE, "failed");
    private final Distribution batchMillis = Metrics.distribution(STAGE, "batchMillis");
    private final Distribution loadMillis = Metrics.distribution(STAGE, "modelLoadMillis");
    private final Embedder.Spec spec;
    private final String modelId;
    private transient Embedder embedder;
    private transient ProgressMeter progress;
    private transient long loadMillisToReport = -1;

    EmbedFn(Embedder.Spec spec, String modelId) {
      this.spec = spec;
      this.modelId = modelId;
    }

    @Setup
    public void setup() {
      long t0 = System.nanoTime();
      progress = ProgressMeter.of(STAGE);
      embedder = spec.open();
      loadMillisToReport = (System.nanoTime() - t0) / 1_000_000; // metrics are not available in @Setup

    }

    @ProcessElement
    public void process(@Element List<Example> batch, MultiOutputReceiver out) {
      if (loadMillisToReport >= 0) {
        loadMillis.update(loadMillisToReport);
        loadMillisToReport = -1;
      }
      long t0 = System.nanoTime();
      // Images of one geometry go through the model together (a prepared dataset has one).
      Map<Long, List<Decoded>> bySize = new LinkedHashMap<>();
      for (Example e : batch) {
        try {
          Decoded d = decode(e);
          bySize.computeIfAbsent(((long) d.image.height() << 32) | d.image.width(), k -> new ArrayList<>()).add(d);
        } catch (BadInputException ex) {
          fail(e, ex, out);
        }
      }
      for (List<Decoded> group : bySize.values()) {
        RasterImage first = group.get(0).image;
        int per = first.pixels().length;
        byte[] pixels = new byte[per * group.size()];
        for (int i = 0; i < group.size(); i++) {
          System.arraycopy(group.get(i).image.pixels(), 0, pixels, i * per, per);
        }
        float[][] vectors = embedder.embed(pixels, group.size(), first.height(), first.width());
        for (int i = 0; i < group.size(); i++) {
          Example e = group.get(i).example;
          if (!finite(vectors[i])) {
            fail(e, new BadInputException("non-finite", "the encoder produced a non-finite vector"), out);
            continue;
          }
          out.get(EMBEDDINGS).output(toEmbedding(e, vectors[i], modelId));
          embedded.inc();
          progress.add("embedded", 1);
        }
      }
      batchMillis.update((System.nanoTime() - t0) / 1_000_000);
    }

    private Decoded decode(Example e) throws BadInputException {
      RasterImage image = ImagePreprocessor.rawPixels(e);
      if (image.channels() != spec.channels()) {
        throw new BadInputException("channels", "image has " + image.channels() + " channels, the encoder takes "
            + spec.channels());
      }
      if (spec.kind() == EncoderKind.pixels && (image.height() != spec.imageSize() || image.width() != spec.imageSize())) {
        throw new BadInputException("size", "image is " + image.height() + "x" + image.width() + ", pixel vectors need "
            + spec.imageSize() + "x" + spec.imageSize());
      }
      return new Decoded(e, image);
    }

    private void fail(Example e, BadInputException ex, MultiOutputReceiver out) {
      out.get(FAILURES).output(FailedRecords.of(STAGE, e.getId(), e.getContentHash(), ex));
      failed.inc();
      progress.add("failed", 1);
    }

    @Teardown
    public void teardown() {
      if (embedder != null) {
        embedder.close();
      }
    }
  }

  private record Decoded(Example example, RasterImage image) {}

  static boolean finite(float[] v) {
    for (float x : v) {
      if (!Float.isFinite(x)) {
        return false;
      }
    }
    return true;
  }

  /** The record for {@code example}'s vector. */
  public static Embedding toEmbedding(Example example, float[] vector, String modelId) {
    List<Float> values = new ArrayList<>(vector.length);
    for (float x : vector) {
      values.add(x);
    }
    return Embedding.newBuilder()
        .setId(example.getId())
        .setSplit(example.getSplit())
        .setLabel(example.getLabel())
        .setLabelName(example.getLabelName())
        .setVector(values)
        .setModelId(modelId)
        .build();
  }
}
