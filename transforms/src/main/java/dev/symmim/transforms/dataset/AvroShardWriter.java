package dev.symmim.transforms.dataset;

import dev.symmim.schemas.ShardInfo;
import dev.symmim.transforms.io.Sha256;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.util.MimeTypes;

/**
 * Writes one Avro container file whose bytes depend only on what is appended and the file name:
 * the sync marker (random in Avro by default) is derived from the name. The file is written under
 * a temporary name and renamed into place by {@link #commit()}, so readers never see a partial
 * file and a retried write replaces it with identical bytes.
 */
public final class AvroShardWriter<T> implements AutoCloseable {
  /** What was written. */
  public record Written(long records, long bytes, String sha256) {
    /** The manifest entry of this file as shard {@code shard} of {@code numShards} at {@code path}. */
    public ShardInfo toShardInfo(String split, int shard, int numShards, String path) {
      return ShardInfo.newBuilder()
          .setSplit(split).setShard(shard).setNumShards(numShards).setPath(path)
          .setRecords(records).setBytes(bytes).setSha256(sha256)
          .build();
    }
  }

  private final ResourceId target;
  private final ResourceId temp;
  private final MessageDigest sha = Sha256.newDigest();
  private final CountingDigestStream out;
  private final DataFileWriter<T> writer;
  private long records;
  private boolean committed;

  private AvroShardWriter(ResourceId target, Schema schema) throws IOException {
    this.target = target;
    this.temp = target.getCurrentDirectory().resolve(
        "." + target.getFilename() + ".tmp-" + Long.toHexString(System.nanoTime()) + "-" + Thread.currentThread().getId(),
        StandardResolveOptions.RESOLVE_FILE);
    byte[] sync = Arrays.copyOf(
        Sha256.newDigest().digest(("symmim-avro-sync:" + target.getFilename()).getBytes(StandardCharsets.UTF_8)), 16);
    this.out = new CountingDigestStream(Channels.newOutputStream(FileSystems.create(temp, MimeTypes.BINARY)), sha);
    this.writer = new DataFileWriter<>(new SpecificDatumWriter<T>(schema));
    writer.setCodec(CodecFactory.deflateCodec(1));
    writer.create(schema, out, sync);
  }

  /** Starts writing {@code target}. */
  public static <T> AvroShardWriter<T> open(ResourceId target, Schema schema) throws IOException {
    return new AvroShardWriter<>(target, schema);
  }

  /** Writes {@code records} in order to {@code target} and commits. */
  public static <T> Written write(ResourceId target, Schema schema, Iterable<T> records) throws IOException {
    try (AvroShardWriter<T> w = open(target, schema)) {
      for (T r : records) {
        w.append(r);
      }
      return w.commit();
    }
  }

  public void append(T record) throws IOException {
    writer.append(record);
    records++;
  }

  /** Copies every block of another file written with the same schema and codec, without decoding. */
  public void appendAllFrom(DataFileStream<T> in, long recordsInFile) throws IOException {
    writer.appendAllFrom(in, false);
    records += recordsInFile;
  }

  /** Closes the file and renames it into place. */
  public Written commit() throws IOException {
    writer.close();
    FileSystems.rename(List.of(temp), List.of(target), MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    committed = true;
    return new Written(records, out.bytes, Sha256.hex(sha.digest()));
  }

  /** Without a commit: abandons the temporary file. */
  @Override
  public void close() throws IOException {
    if (!committed) {
      writer.close();
      FileSystems.delete(List.of(temp), MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    }
  }

  /** Counts and hashes what passes through; closing it closes the target. */
  private static final class CountingDigestStream extends FilterOutputStream {
    private final MessageDigest digest;
    long bytes;

    CountingDigestStream(OutputStream out, MessageDigest digest) {
      super(out);
      this.digest = digest;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      digest.update((byte) b);
      bytes++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      digest.update(b, off, len);
      bytes += len;
    }
  }
}
