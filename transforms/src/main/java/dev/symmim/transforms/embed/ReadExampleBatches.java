package dev.symmim.transforms.embed;

import dev.symmim.schemas.Example;
import dev.symmim.transforms.dataset.VerifiedShard;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.SeekableInput;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.beam.sdk.coders.SerializableCoder;
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
 * Reads prepared shards into batches of at most {@code batchSize} examples (the unit of inference).
 * Each shard is first checked whole (SHA-256 and record count against the dataset manifest: a shard
 * that does not match fails the job with its path, the dataset changed after {@code prepare}) and
 * cut into byte ranges of about {@value #BATCHES_PER_RANGE} batches; only these small range
 * descriptors are shuffled over the workers, and each worker reads its ranges itself (Avro sync
 * markers: every block belongs to exactly one range). The images are thus never serialized through
 * a shuffle, and the reading, decoding and inference of a range run fused on one worker.
 */
public final class ReadExampleBatches extends PTransform<PCollection<ShardRef>, PCollection<List<Example>>> {
  static final int BATCHES_PER_RANGE = 4;
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

  /** Bytes [start, end) of a shard: the Avro blocks whose sync marker precedes a position in it. */
  public record Range(ShardRef shard, long start, long end) implements Serializable {}

  @Override
  public PCollection<List<Example>> expand(PCollection<ShardRef> shards) {
    return shards
        .apply("VerifyShards", ParDo.of(new VerifyFn(batchSize)))
        .setCoder(SerializableCoder.of(Range.class))
        .apply("SpreadRanges", Reshuffle.viaRandomKey())
        .apply("ReadRanges", ParDo.of(new ReadRangeFn(batchSize)))
        .setCoder(ListCoder.of(AvroCoder.of(Example.class)));
  }

  /** Checks a shard against the manifest; emits its ranges. */
  static class VerifyFn extends DoFn<ShardRef, Range> {
    private final int batchSize;

    VerifyFn(int batchSize) {
      this.batchSize = batchSize;
    }

    @ProcessElement
    public void process(@Element ShardRef shard, OutputReceiver<Range> out) throws IOException {
      byte[] bytes = VerifiedShard.read(shard.file(), shard.sha256(), shard.records());
      for (long[] r : ranges(bytes.length, shard.records(), batchSize)) {
        out.output(new Range(shard, r[0], r[1]));
      }
    }
  }

  /** [start, end) byte ranges covering a file of {@code length} bytes, about BATCHES_PER_RANGE batches each. */
  static List<long[]> ranges(long length, long records, int batchSize) {
    long n = Math.max(1, (records + (long) BATCHES_PER_RANGE * batchSize - 1) / ((long) BATCHES_PER_RANGE * batchSize));
    List<long[]> out = new ArrayList<>();
    for (long i = 0; i < n; i++) {
      out.add(new long[] {length * i / n, i == n - 1 ? length : length * (i + 1) / n});
    }
    return out;
  }

  /** Reads one range of a (verified) shard into batches. */
  static class ReadRangeFn extends DoFn<Range, List<Example>> {
    private final Counter inputs = Metrics.counter("embed", "inputs");
    private final int batchSize;

    ReadRangeFn(int batchSize) {
      this.batchSize = batchSize;
    }

    @ProcessElement
    public void process(@Element Range range, OutputReceiver<List<Example>> out) throws IOException {
      long count = 0;
      List<Example> batch = new ArrayList<>(batchSize);
      ReadableByteChannel channel = FileSystems.open(FileSystems.matchNewResource(range.shard().file(), false));
      if (!(channel instanceof SeekableByteChannel seekable)) {
        channel.close();
        throw new IOException("the filesystem of " + range.shard().file() + " cannot seek; shards must be seekable files");
      }
      try (DataFileReader<Example> records = new DataFileReader<>(new ChannelInput(seekable),
          new SpecificDatumReader<>(Example.class))) {
        records.sync(range.start());
        while (records.hasNext() && !records.pastSync(range.end())) {
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
      inputs.inc(count);
    }
  }

  /** Avro's random access over a Beam filesystem channel (local files and gs:// objects both seek). */
  static final class ChannelInput implements SeekableInput {
    private final SeekableByteChannel channel;

    ChannelInput(SeekableByteChannel channel) {
      this.channel = channel;
    }

    @Override
    public void seek(long p) throws IOException {
      channel.position(p);
    }

    @Override
    public long tell() throws IOException {
      return channel.position();
    }

    @Override
    public long length() throws IOException {
      return channel.size();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return channel.read(ByteBuffer.wrap(b, off, len));
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }
}
