package dev.symmim.testing.gcs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * One object version: its bytes, generation numbers, hashes and the writable attributes
 * (contentType, metadata, ...) as the client sent them.
 */
record StoredObject(String bucket, String name, byte[] data, long generation, long metageneration,
    ObjectNode attributes, Instant created, Instant updated, String md5Hash, String crc32c) {
  static final ObjectMapper JSON = new ObjectMapper();
  /** Attributes a client may set on insert, rewrite, compose and patch. */
  static final List<String> WRITABLE = List.of("contentType", "contentEncoding", "contentDisposition",
      "contentLanguage", "cacheControl", "metadata", "customTime", "storageClass");

  static StoredObject create(String bucket, String name, byte[] data, long generation, ObjectNode attributes,
      Instant created) {
    return new StoredObject(bucket, name, data, generation, 1, writable(attributes), created, created,
        Base64.getEncoder().encodeToString(md5(data)), crc32c(data));
  }

  /** The same object with attributes merged in (patch semantics; a null value removes the field). */
  StoredObject patched(JsonNode changes, Instant now) {
    ObjectNode merged = attributes.deepCopy();
    for (String field : WRITABLE) {
      JsonNode v = changes.get(field);
      if (v == null) {
        continue;
      }
      if (v.isNull()) {
        merged.remove(field);
      } else if (field.equals("metadata") && v.isObject() && merged.get("metadata") instanceof ObjectNode m) {
        v.fields().forEachRemaining(e -> {
          if (e.getValue().isNull()) {
            m.remove(e.getKey());
          } else {
            m.set(e.getKey(), e.getValue());
          }
        });
      } else {
        merged.set(field, v);
      }
    }
    return new StoredObject(bucket, name, data, generation, metageneration + 1, merged, created, now, md5Hash,
        crc32c);
  }

  /** Only the client-writable fields of {@code json} (null gives none). */
  static ObjectNode writable(JsonNode json) {
    ObjectNode out = JSON.createObjectNode();
    if (json != null) {
      for (String field : WRITABLE) {
        if (json.hasNonNull(field)) {
          out.set(field, json.get(field));
        }
      }
    }
    return out;
  }

  /** The object resource as the JSON API returns it; {@code base} is the server's URL ("http://host:port"). */
  ObjectNode toJson(String base) {
    ObjectNode o = JSON.createObjectNode();
    String encoded = PercentEncoding.encodeSegment(name);
    o.put("kind", "storage#object");
    o.put("id", bucket + "/" + name + "/" + generation);
    o.put("selfLink", base + "/storage/v1/b/" + bucket + "/o/" + encoded);
    o.put("mediaLink", base + "/download/storage/v1/b/" + bucket + "/o/" + encoded + "?generation=" + generation
        + "&alt=media");
    o.put("name", name);
    o.put("bucket", bucket);
    o.put("generation", Long.toString(generation));
    o.put("metageneration", Long.toString(metageneration));
    o.put("contentType", "application/octet-stream");
    o.put("storageClass", "STANDARD");
    o.setAll(attributes);
    o.put("size", Long.toString(data.length));
    o.put("md5Hash", md5Hash);
    o.put("crc32c", crc32c);
    o.put("etag", etag());
    o.put("timeCreated", created.toString());
    o.put("updated", updated.toString());
    o.put("timeStorageClassUpdated", created.toString());
    return o;
  }

  String etag() {
    return Base64.getEncoder().encodeToString(ByteBuffer.allocate(16).putLong(generation).putLong(metageneration)
        .array()).replace("=", "");
  }

  String contentType() {
    JsonNode t = attributes.get("contentType");
    return t == null ? "application/octet-stream" : t.asText();
  }

  static byte[] md5(byte[] data) {
    try {
      return MessageDigest.getInstance("MD5").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** CRC32C as GCS reports it: base64 of the big-endian 4-byte checksum. */
  static String crc32c(byte[] data) {
    CRC32C c = new CRC32C();
    c.update(data);
    return Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt((int) c.getValue()).array());
  }
}
