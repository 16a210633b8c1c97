package dev.symmim.transforms.embed;

import dev.symmim.schemas.Example;
import dev.symmim.transforms.images.Sha256;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PCollection;

/**
 * Reads prepared shards into batches of at most {@code batchSize} examples (the unit of inference),
 * after checking each shard's SHA-256 and record count against the dataset manifest, then spreads
 * the batches over the workers. A shard that does not match fails the job with its path: the
 * dataset changed after {@code prepare}.
 */
public final class ReadExampleBatches extends PTransform<PCollection<ShardRef>, PCollection<List<Example>>> {
  private final int batchSize;

  private ReadExampleBatches(int batchSize) {
    this.batchSize = batchSize;
  }

  public static ReadExampleBatches ofSize(int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    return new ReadExampleBatches(batchSize);
  }

  @Override
  public PCollection<List<Example>> expand(PCollection<ShardRef> shards) {
    return shards
        .apply("SpreadShards", Reshuffle.viaRandomKey())
        .apply("ReadShard", ParDo.of(new ReadFn(batchSize)))
        .setCoder(ListCoder.of(AvroCoder.of(Example.class)))
        .apply("SpreadBatches", Reshuffle.viaRandomKey());
  }

  static class ReadFn extends DoFn<ShardRef, List<Example>> {
    private final Counter inputs = Metrics.counter("embed", "inputs");
    private final int batchSize;

    ReadFn(int batchSize) {
      this.batchSize = batchSize;
    }

    @ProcessElement
    public void process(@Element ShardRef shard, OutputReceiver<List<Example>> out) throws IOException {
      byte[] bytes;
      try (InputStream in = Channels.newInputStream(FileSystems.open(FileSystems.matchNewResource(shard.file(), false)))) {
        bytes = in.readAllBytes();
      } catch (java.io.FileNotFoundException e) {
        throw new IllegalArgumentException("shard " + shard.file() + " listed in the dataset manifest is missing", e);
      }
      String sha = Sha256.hex(Sha256.newDigest().digest(bytes));
      if (!sha.equals(shard.sha256())) {
        throw new IllegalArgumentException("shard " + shard.file() + " has sha256 " + sha + " but the dataset manifest says "
            + shard.sha256() + ": the dataset changed after prepare; re-run prepare");
      }
      long count = 0;
      List<Example> batch = new ArrayList<>(batchSize);
      try (DataFileStream<Example> records = new DataFileStream<>(new ByteArrayInputStream(bytes),
          new SpecificDatumReader<>(Example.class))) {
        while (records.hasNext()) {
          batch.add(records.next());
          count++;
          if (batch.size() == batchSize) {
            out.output(batch);
            batch = new ArrayList<>(batchSize);
          }
        }
      }
      if (!batch.isEmpty()) {
        out.output(batch);
      }
      if (count != shard.records()) {
        throw new IllegalArgumentException("shard " + shard.file() + " holds " + count
            + " records but the dataset manifest says " + shard.records());
      }
      inputs.inc(count);
    }
  }
}
