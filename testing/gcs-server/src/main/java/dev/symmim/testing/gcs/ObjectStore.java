package dev.symmim.testing.gcs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Buckets, the newest generation of each object, and resumable upload sessions, in memory. Every
 * method is atomic (one lock): a write either replaces the object with a new generation or, when a
 * precondition fails, changes nothing.
 */
final class ObjectStore {
  private static final Pattern BUCKET_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]");

  /** An object listing page: objects, common prefixes (with a delimiter) and the next page's token. */
  record Page(List<StoredObject> items, List<String> prefixes, String nextPageToken) {}

  /** A resumable upload: where it goes, the bytes received so far and, once complete, the object. */
  static final class Upload {
    final String id;
    final String bucket;
    final String name;
    final ObjectNode attributes;
    final Preconditions preconditions;
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    StoredObject result;

    Upload(String id, String bucket, String name, ObjectNode attributes, Preconditions preconditions) {
      this.id = id;
      this.bucket = bucket;
      this.name = name;
      this.attributes = attributes;
      this.preconditions = preconditions;
    }
  }

  private final Clock clock;
  private final Map<String, Instant> buckets = new TreeMap<>();
  private final Map<String, NavigableMap<String, StoredObject>> objects = new TreeMap<>();
  private final Map<String, Upload> uploads = new TreeMap<>();
  private long lastGeneration;

  ObjectStore(Clock clock) {
    this.clock = clock;
  }

  synchronized void createBucket(String name) {
    checkBucketName(name);
    if (buckets.containsKey(name)) {
      throw new GcsError(409, "conflict", "bucket " + name + " already exists");
    }
    buckets.put(name, clock.instant());
    objects.put(name, new TreeMap<>());
  }

  /** The bucket's creation time; 404 when it does not exist. */
  synchronized Instant bucket(String name) {
    Instant created = buckets.get(name);
    if (created == null) {
      throw new GcsError(404, "notFound", "bucket " + name + " does not exist");
    }
    return created;
  }

  synchronized List<String> bucketNames() {
    return new ArrayList<>(buckets.keySet());
  }

  synchronized void deleteBucket(String name) {
    bucket(name);
    if (!objects.get(name).isEmpty()) {
      throw new GcsError(409, "conflict", "bucket " + name + " is not empty");
    }
    buckets.remove(name);
    objects.remove(name);
  }

  /** The object's current generation; 404 when absent or when {@code generation} names another one. */
  synchronized StoredObject get(String bucket, String name, Long generation, Preconditions pre) {
    StoredObject o = objects(bucket).get(name);
    if (o == null || (generation != null && generation != o.generation())) {
      throw GcsError.notFound(bucket + "/" + name + (generation == null ? "" : "#" + generation));
    }
    pre.check(o, bucket + "/" + name);
    return o;
  }

  /** Writes a new generation (creating the bucket on a first write) if the preconditions hold. */
  synchronized StoredObject put(String bucket, String name, byte[] data, JsonNode attributes, Preconditions pre) {
    if (name == null || name.isEmpty()) {
      throw GcsError.badRequest("object name is required");
    }
    if (!buckets.containsKey(bucket)) {
      createBucket(bucket);
    }
    NavigableMap<String, StoredObject> in = objects.get(bucket);
    pre.check(in.get(name), bucket + "/" + name);
    Instant now = clock.instant();
    StoredObject o = StoredObject.create(bucket, name, data, nextGeneration(now), StoredObject.writable(attributes),
        now);
    in.put(name, o);
    return o;
  }

  synchronized StoredObject patch(String bucket, String name, JsonNode changes, Preconditions pre) {
    StoredObject o = get(bucket, name, null, pre);
    StoredObject patched = o.patched(changes, clock.instant());
    objects.get(bucket).put(name, patched);
    return patched;
  }

  synchronized void delete(String bucket, String name, Long generation, Preconditions pre) {
    get(bucket, name, generation, pre);
    objects.get(bucket).remove(name);
  }

  /**
   * Lists names starting with {@code prefix}, in name order, after {@code pageToken} (the last name
   * or prefix of the previous page); with a delimiter, names containing it after the prefix are
   * folded into one common prefix each. Items and prefixes both count towards {@code maxResults}.
   */
  synchronized Page list(String bucket, String prefix, String delimiter, String pageToken, int maxResults,
      String startOffset, String endOffset) {
    NavigableMap<String, StoredObject> in = objects(bucket);
    String from = prefix;
    if (startOffset != null && startOffset.compareTo(from) > 0) {
      from = startOffset;
    }
    NavigableMap<String, StoredObject> range = in.tailMap(from, true);
    if (pageToken != null && pageToken.compareTo(from) >= 0) {
      range = in.tailMap(pageToken, false);
    }
    List<StoredObject> items = new ArrayList<>();
    List<String> prefixes = new ArrayList<>();
    String last = null;
    for (StoredObject o : range.values()) {
      String name = o.name();
      if (!name.startsWith(prefix) || (endOffset != null && name.compareTo(endOffset) >= 0)) {
        break;
      }
      int cut = delimiter == null || delimiter.isEmpty() ? -1 : name.indexOf(delimiter, prefix.length());
      String entry = cut < 0 ? name : name.substring(0, cut + delimiter.length());
      if (cut >= 0 && (entry.equals(last) || (pageToken != null && entry.compareTo(pageToken) <= 0))) {
        continue; // the rest of a prefix already listed
      }
      if (items.size() + prefixes.size() == maxResults) {
        return new Page(items, prefixes, last);
      }
      if (cut < 0) {
        items.add(o);
      } else {
        prefixes.add(entry);
      }
      last = cut < 0 ? name : entry;
    }
    return new Page(items, prefixes, null);
  }

  synchronized Upload startUpload(String bucket, String name, JsonNode attributes, Preconditions pre) {
    if (name == null || name.isEmpty()) {
      throw GcsError.badRequest("object name is required (name= or the JSON body's name)");
    }
    pre.check(objects.containsKey(bucket) ? objects.get(bucket).get(name) : null, bucket + "/" + name);
    Upload u = new Upload(UUID.randomUUID().toString().replace("-", ""), bucket, name,
        StoredObject.writable(attributes), pre);
    uploads.put(u.id, u);
    return u;
  }

  /**
   * Takes bytes {@code [first, first + chunk.length)} of an upload (bytes already received are
   * skipped, a gap is refused) and, when {@code total} is known and reached, commits the object.
   * Returns the upload; its {@code result} is set once committed.
   */
  synchronized Upload continueUpload(String id, long first, byte[] chunk, Long total) {
    Upload u = uploads.get(id);
    if (u == null) {
      throw new GcsError(404, "notFound", "no upload session " + id);
    }
    if (u.result != null) {
      return u;
    }
    long have = u.received.size();
    if (first > have) {
      throw GcsError.badRequest("upload " + id + ": chunk starts at " + first + " but only " + have
          + " bytes were received");
    }
    long skip = have - first;
    if (skip < chunk.length) {
      u.received.write(chunk, (int) skip, chunk.length - (int) skip);
    }
    if (total != null) {
      if (u.received.size() > total) {
        throw GcsError.badRequest("upload " + id + ": " + u.received.size() + " bytes received, total is " + total);
      }
      if (u.received.size() == total) {
        u.result = put(u.bucket, u.name, u.received.toByteArray(), u.attributes, u.preconditions);
      }
    }
    return u;
  }

  synchronized Upload upload(String id) {
    Upload u = uploads.get(id);
    if (u == null) {
      throw new GcsError(404, "notFound", "no upload session " + id);
    }
    return u;
  }

  synchronized void cancelUpload(String id) {
    uploads.remove(id);
  }

  private NavigableMap<String, StoredObject> objects(String bucket) {
    bucket(bucket);
    return objects.get(bucket);
  }

  /** Generations grow strictly and look like GCS's (microseconds since the epoch). */
  private long nextGeneration(Instant now) {
    long micros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    lastGeneration = Math.max(lastGeneration + 1, micros);
    return lastGeneration;
  }

  private static void checkBucketName(String name) {
    if (name == null || !BUCKET_NAME.matcher(name).matches()) {
      throw GcsError.badRequest("invalid bucket name '" + name + "'");
    }
  }
}
