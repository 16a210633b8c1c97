package dev.symmim.transforms.training;

import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.zip.CRC32C;

/**
 * Writes to one bucket with generation preconditions only, so that every write is idempotent and
 * the client retries it through 503s and dropped connections (it does not retry a create without
 * one). A precondition that fails (412) on a retried call whose first attempt did land is told
 * apart from a real conflict by the object's crc32c and size.
 */
final class GcsObjects {
  /** What an upload stored. */
  record Stored(long generation, String crc32c, long size) {}

  private final Storage storage;
  private final String bucket;

  GcsObjects(Storage storage, String bucket) {
    this.storage = storage;
    this.bucket = bucket;
  }

  Storage storage() {
    return storage;
  }

  String bucket() {
    return bucket;
  }

  String uri(String object) {
    return "gs://" + bucket + "/" + object;
  }

  /** Creates {@code object} from {@code file} only if it does not exist ({@code ifGenerationMatch=0}). */
  Stored createIfAbsent(String object, Path file) throws IOException {
    String crc = crc32c(file);
    long size = Files.size(file);
    Blob b;
    try {
      b = storage.createFrom(info(object), file, Storage.BlobWriteOption.doesNotExist());
    } catch (StorageException e) {
      b = sameOrThrow(object, crc, size, e);
    }
    return check(object, b, crc, size);
  }

  /**
   * Creates {@code object} with {@code bytes} only if it does not exist; false if it exists with other
   * content (a retry whose own write landed counts as created).
   */
  boolean tryCreate(String object, byte[] bytes) throws IOException {
    try {
      createIfAbsent(object, bytes);
      return true;
    } catch (IOException e) {
      if (e.getMessage() != null && e.getMessage().contains("was changed by someone else")) {
        return false;
      }
      throw e;
    }
  }

  /** As {@link #createIfAbsent(String, Path)} for bytes in memory. */
  Stored createIfAbsent(String object, byte[] bytes) throws IOException {
    String crc = crc32c(bytes);
    Blob b;
    try {
      b = storage.create(info(object), bytes, Storage.BlobTargetOption.doesNotExist());
    } catch (StorageException e) {
      b = sameOrThrow(object, crc, bytes.length, e);
    }
    return check(object, b, crc, bytes.length);
  }

  /**
   * Replaces {@code object} with {@code file}, on the precondition that it is still the generation
   * read just before (or still absent); an unchanged object is left as it is.
   */
  Stored replace(String object, Path file) throws IOException {
    String crc = crc32c(file);
    long size = Files.size(file);
    Blob current = get(object);
    if (current != null && crc.equals(current.getCrc32c()) && current.getSize() == size) {
      return new Stored(current.getGeneration(), crc, size);
    }
    Storage.BlobWriteOption precondition = current == null ? Storage.BlobWriteOption.doesNotExist()
        : Storage.BlobWriteOption.generationMatch(current.getGeneration());
    Blob b;
    try {
      b = storage.createFrom(info(object), file, precondition);
    } catch (StorageException e) {
      b = sameOrThrow(object, crc, size, e);
    }
    return check(object, b, crc, size);
  }

  /** Replaces {@code object} with {@code bytes} if it is still {@code generation} (0: absent). */
  void replace(String object, byte[] bytes, long generation) throws IOException {
    String crc = crc32c(bytes);
    Storage.BlobTargetOption precondition = generation == 0 ? Storage.BlobTargetOption.doesNotExist()
        : Storage.BlobTargetOption.generationMatch(generation);
    try {
      check(object, storage.create(info(object), bytes, precondition), crc, bytes.length);
    } catch (StorageException e) {
      check(object, sameOrThrow(object, crc, bytes.length, e), crc, bytes.length);
    }
  }

  /** The object's metadata, or null when it does not exist. */
  Blob get(String object) throws IOException {
    try {
      return storage.get(BlobId.of(bucket, object));
    } catch (StorageException e) {
      throw new IOException("cannot stat " + uri(object) + ": " + e.getMessage(), e);
    }
  }

  byte[] read(String object, long generation) throws IOException {
    try {
      return storage.readAllBytes(BlobId.of(bucket, object, generation));
    } catch (StorageException e) {
      throw new IOException("cannot read " + uri(object) + "#" + generation + ": " + e.getMessage(), e);
    }
  }

  /** Downloads generation {@code generation} of {@code object} to {@code file}; checks crc32c and size. */
  void download(String object, long generation, String crc32c, long size, Path file) throws IOException {
    try {
      storage.downloadTo(BlobId.of(bucket, object, generation), file);
    } catch (StorageException e) {
      throw new IOException("cannot download " + uri(object) + "#" + generation + ": " + e.getMessage(), e);
    }
    if (!crc32c.equals(crc32c(file)) || Files.size(file) != size) {
      throw new IOException("downloaded " + uri(object) + "#" + generation + " has crc32c " + crc32c(file) + ", "
          + Files.size(file) + " bytes; its commit marker says " + crc32c + ", " + size + " bytes");
    }
  }

  /** Deletes {@code object} if it is still {@code generation}; true if it was deleted. */
  boolean delete(String object, long generation) throws IOException {
    try {
      return storage.delete(BlobId.of(bucket, object), Storage.BlobSourceOption.generationMatch(generation));
    } catch (StorageException e) {
      if (e.getCode() == 412) {
        return false; // replaced meanwhile: not ours to delete
      }
      throw new IOException("cannot delete " + uri(object) + ": " + e.getMessage(), e);
    }
  }

  Iterable<Blob> list(String prefix) throws IOException {
    try {
      return storage.list(bucket, Storage.BlobListOption.prefix(prefix)).iterateAll();
    } catch (StorageException e) {
      if (e.getCode() == 404) {
        return java.util.List.of(); // no bucket yet: nothing in it (the first write creates it, or fails naming it)
      }
      throw new IOException("cannot list gs://" + bucket + "/" + prefix + ": " + e.getMessage(), e);
    }
  }

  private BlobInfo info(String object) {
    return BlobInfo.newBuilder(bucket, object).setContentType("application/octet-stream").build();
  }

  /** After a failed write: the object as it stands if a precondition failed because our own write landed. */
  private Blob sameOrThrow(String object, String crc, long size, StorageException e) throws IOException {
    if (e.getCode() != 412) {
      throw new IOException("cannot write " + uri(object) + ": " + e.getMessage(), e);
    }
    Blob now = get(object);
    if (now != null && crc.equals(now.getCrc32c()) && now.getSize() == size) {
      return now;
    }
    throw new IOException(uri(object) + " was changed by someone else (precondition failed and its content is not "
        + "what this process wrote): is another process writing the same run?", e);
  }

  private Stored check(String object, Blob b, String crc, long size) throws IOException {
    if (!crc.equals(b.getCrc32c()) || b.getSize() != size) {
      throw new IOException("wrote " + uri(object) + " but GCS reports crc32c " + b.getCrc32c() + ", " + b.getSize()
          + " bytes; expected " + crc + ", " + size);
    }
    return new Stored(b.getGeneration(), crc, size);
  }

  /** crc32c as GCS reports it: base64 of the 4 big-endian bytes. */
  static String crc32c(Path file) throws IOException {
    CRC32C crc = new CRC32C();
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        crc.update(buf, 0, n);
      }
    }
    return encode(crc);
  }

  static String crc32c(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    return encode(crc);
  }

  private static String encode(CRC32C crc) {
    return Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }
}
