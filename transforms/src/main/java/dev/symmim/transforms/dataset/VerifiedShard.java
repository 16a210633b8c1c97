package dev.symmim.transforms.dataset;

import dev.symmim.transforms.io.Sha256;
import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.FileSystems;

/**
 * Reads a prepared shard whole and checks it against what the dataset manifest promises: its
 * SHA-256 and its record count (counted by Avro blocks, nothing decoded). A shard that changed
 * after {@code prepare} is refused naming the file and both values. The one verification every
 * reader of prepared shards goes through (pretraining, fine-tuning, embedding).
 */
public final class VerifiedShard {
  private VerifiedShard() {}

  /** The bytes of {@code file} (a path or URI), after checking them against {@code sha256} and {@code records}. */
  public static byte[] read(String file, String sha256, long records) throws IOException {
    byte[] bytes;
    try (InputStream in = Channels.newInputStream(FileSystems.open(FileSystems.matchNewResource(file, false)))) {
      bytes = in.readAllBytes();
    } catch (FileNotFoundException e) {
      throw new IllegalArgumentException("shard " + file + " listed in the dataset manifest is missing", e);
    }
    String sha = Sha256.of(bytes);
    if (!sha.equals(sha256)) {
      throw new IllegalArgumentException("shard " + file + " has sha256 " + sha + " but the dataset manifest says "
          + sha256 + ": the dataset changed after prepare; re-run prepare");
    }
    long count = 0;
    try (DataFileStream<GenericRecord> blocks = new DataFileStream<>(new ByteArrayInputStream(bytes),
        new GenericDatumReader<>())) {
      while (blocks.hasNext()) { // whole blocks, not decoded
        count += blocks.getBlockCount();
        blocks.nextBlock();
      }
    }
    if (count != records) {
      throw new IllegalArgumentException("shard " + file + " holds " + count + " records but the dataset manifest says "
          + records);
    }
    return bytes;
  }
}
