package dev.symmim.testing.gcs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The GCS JSON API routes: buckets, object metadata and media, media/multipart/resumable
 * uploads, rewrite/copy, compose, list, and {@code /batch/storage/v1}.
 */
final class JsonApi {
  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (?:(\\d+)-(\\d+)|\\*)/(\\d+|\\*)");
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");
  private static final int MAX_LIST = 1000;

  /** Thrown to close a call's connection without an answer (an injected mid-upload failure). */
  static final class ConnectionDropped extends RuntimeException {
    ConnectionDropped(String message) {
      super(message);
    }
  }

  private final ObjectStore store;
  private final Supplier<FaultInjector> faults;

  JsonApi(ObjectStore store, Supplier<FaultInjector> faults) {
    this.store = store;
    this.faults = faults;
  }

  /** Answers one call; {@code base} is "http://host:port" as the client addressed the server. */
  void handle(ApiExchange x, String base) {
    try {
      route(x, base);
    } catch (GcsError e) {
      x.respondError(e);
    }
  }

  private void route(ApiExchange x, String base) {
    List<String> s = x.segments();
    if (s.size() >= 3 && s.get(0).equals("batch") && s.get(1).equals("storage")) {
      batch(x, base);
      return;
    }
    boolean upload = !s.isEmpty() && s.get(0).equals("upload");
    boolean download = !s.isEmpty() && s.get(0).equals("download");
    List<String> p = upload || download ? s.subList(1, s.size()) : s;
    if (p.size() < 3 || !p.get(0).equals("storage") || !p.get(1).equals("v1") || !p.get(2).equals("b")) {
      throw new GcsError(404, "notFound", "no such API path " + x.rawPath);
    }
    List<String> r = p.subList(3, p.size()); // [bucket, "o", object, ...]
    if (upload) {
      upload(x, r, base);
    } else if (r.isEmpty()) {
      buckets(x);
    } else if (r.size() == 1) {
      bucket(x, r.get(0));
    } else if (r.get(1).equals("o") && r.size() == 2) {
      list(x, r.get(0), base);
    } else if (r.get(1).equals("o") && r.size() == 3) {
      object(x, r.get(0), r.get(2), base, download);
    } else if (r.get(1).equals("o") && r.size() == 4 && r.get(3).equals("compose") && x.method.equals("POST")) {
      compose(x, r.get(0), r.get(2), base);
    } else if (r.get(1).equals("o") && r.size() == 8 && x.method.equals("POST")
        && (r.get(3).equals("rewriteTo") || r.get(3).equals("copyTo")) && r.get(4).equals("b")
        && r.get(6).equals("o")) {
      rewrite(x, r.get(0), r.get(2), r.get(5), r.get(7), r.get(3).equals("rewriteTo"), base);
    } else {
      throw new GcsError(404, "notFound", "no such API path " + x.rawPath);
    }
  }

  private void buckets(ApiExchange x) {
    if (x.method.equals("POST")) {
      JsonNode body = json(x.body);
      String name = body.path("name").asText(null);
      store.createBucket(name);
      x.respondJson(200, bucketJson(name));
    } else if (x.method.equals("GET")) {
      ObjectNode out = StoredObject.JSON.createObjectNode();
      out.put("kind", "storage#buckets");
      ArrayNode items = out.putArray("items");
      store.bucketNames().forEach(b -> items.add(bucketJson(b)));
      x.respondJson(200, out);
    } else {
      throw new GcsError(405, "methodNotAllowed", x.method + " " + x.rawPath);
    }
  }

  private void bucket(ApiExchange x, String name) {
    switch (x.method) {
      case "GET":
        x.respondJson(200, bucketJson(name));
        break;
      case "DELETE":
        store.deleteBucket(name);
        x.respond(204, null, new byte[0]);
        break;
      default:
        throw new GcsError(405, "methodNotAllowed", x.method + " " + x.rawPath);
    }
  }

  private ObjectNode bucketJson(String name) {
    ObjectNode b = StoredObject.JSON.createObjectNode();
    b.put("kind", "storage#bucket");
    b.put("id", name);
    b.put("name", name);
    b.put("timeCreated", store.bucket(name).toString());
    b.put("updated", store.bucket(name).toString());
    b.put("location", "US");
    b.put("storageClass", "STANDARD");
    b.put("metageneration", "1");
    b.put("etag", "CAE=");
    b.put("projectNumber", "0");
    return b;
  }

  private void list(ApiExchange x, String bucket, String base) {
    if (!x.method.equals("GET")) {
      throw new GcsError(405, "methodNotAllowed", x.method + " " + x.rawPath);
    }
    String max = x.param("maxResults");
    int maxResults = max == null || max.isEmpty() ? MAX_LIST : Math.min(MAX_LIST, Integer.parseInt(max));
    if (maxResults <= 0) {
      throw GcsError.badRequest("maxResults=" + max + " must be > 0");
    }
    String token = x.param("pageToken");
    ObjectStore.Page page = store.list(bucket, x.query.getOrDefault("prefix", ""), x.param("delimiter"),
        token == null || token.isEmpty() ? null : pageTokenName(token), maxResults, x.param("startOffset"),
        x.param("endOffset"));
    ObjectNode out = StoredObject.JSON.createObjectNode();
    out.put("kind", "storage#objects");
    if (page.nextPageToken() != null) {
      out.put("nextPageToken", pageToken(page.nextPageToken()));
    }
    if (!page.prefixes().isEmpty()) {
      ArrayNode prefixes = out.putArray("prefixes");
      page.prefixes().forEach(prefixes::add);
    }
    if (!page.items().isEmpty()) {
      ArrayNode items = out.putArray("items");
      page.items().forEach(o -> items.add(o.toJson(base)));
    }
    x.respondJson(200, out);
  }

  private void object(ApiExchange x, String bucket, String name, String base, boolean download) {
    Preconditions pre = Preconditions.from(x::param, false);
    Long generation = Preconditions.number(x.param("generation"), "generation");
    switch (x.method) {
      case "GET":
        StoredObject o = store.get(bucket, name, generation, pre);
        if (download || "media".equals(x.param("alt"))) {
          media(x, o);
        } else {
          x.respondJson(200, o.toJson(base));
        }
        break;
      case "DELETE":
        store.delete(bucket, name, generation, pre);
        x.respond(204, null, new byte[0]);
        break;
      case "PATCH":
      case "PUT":
        x.respondJson(200, store.patch(bucket, name, json(x.body), pre).toJson(base));
        break;
      default:
        throw new GcsError(405, "methodNotAllowed", x.method + " " + x.rawPath);
    }
  }

  /** The object's bytes, or with a {@code Range: bytes=a-b} header (also "a-" and "-n") a 206 slice. */
  private static void media(ApiExchange x, StoredObject o) {
    byte[] data = o.data();
    x.responseHeaders.put("ETag", o.etag());
    x.responseHeaders.put("x-goog-generation", Long.toString(o.generation()));
    x.responseHeaders.put("x-goog-metageneration", Long.toString(o.metageneration()));
    x.responseHeaders.put("x-goog-stored-content-length", Long.toString(data.length));
    x.responseHeaders.put("x-goog-hash", "crc32c=" + o.crc32c() + ",md5=" + o.md5Hash());
    x.responseHeaders.put("Accept-Ranges", "bytes");
    if (o.attributes().hasNonNull("contentEncoding")) {
      x.responseHeaders.put("x-goog-stored-content-encoding", o.attributes().get("contentEncoding").asText());
    }
    String range = x.header("Range");
    if (range == null || range.isBlank()) {
      x.respond(200, o.contentType(), data);
      return;
    }
    Matcher m = RANGE.matcher(range.trim());
    if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
      throw GcsError.badRequest("unsupported Range header '" + range + "'");
    }
    long first;
    long last;
    if (m.group(1).isEmpty()) {
      first = Math.max(0, data.length - Long.parseLong(m.group(2)));
      last = data.length - 1;
    } else {
      first = Long.parseLong(m.group(1));
      last = m.group(2).isEmpty() ? data.length - 1 : Math.min(data.length - 1, Long.parseLong(m.group(2)));
    }
    if (data.length == 0 && first == 0) {
      x.respond(200, o.contentType(), data);
      return;
    }
    if (first >= data.length || first > last) {
      x.responseHeaders.put("Content-Range", "bytes */" + data.length);
      throw new GcsError(416, "requestedRangeNotSatisfiable", "Range " + range + " of a " + data.length
          + "-byte object");
    }
    x.responseHeaders.put("Content-Range", "bytes " + first + "-" + last + "/" + data.length);
    x.respond(206, o.contentType(), Arrays.copyOfRange(data, (int) first, (int) last + 1));
  }

  private void upload(ApiExchange x, List<String> r, String base) {
    if (r.size() != 2 || !r.get(1).equals("o")) {
      throw new GcsError(404, "notFound", "no such upload path " + x.rawPath);
    }
    String bucket = r.get(0);
    String uploadId = x.param("upload_id");
    if (uploadId != null) {
      resumableChunk(x, uploadId, base);
      return;
    }
    if (!x.method.equals("POST")) {
      throw new GcsError(405, "methodNotAllowed", x.method + " " + x.rawPath);
    }
    Preconditions pre = Preconditions.from(x::param, false);
    String type = x.param("uploadType");
    if ("resumable".equals(type)) {
      JsonNode meta = x.body.length == 0 ? StoredObject.JSON.createObjectNode() : json(x.body);
      ObjectNode attributes = StoredObject.writable(meta);
      String uploadType = x.header("X-Upload-Content-Type");
      if (!attributes.has("contentType") && uploadType != null) {
        attributes.put("contentType", uploadType);
      }
      String name = x.param("name") != null ? x.param("name") : meta.path("name").asText(null);
      ObjectStore.Upload u = store.startUpload(bucket, name, attributes, pre);
      x.responseHeaders.put("Location", base + "/upload/storage/v1/b/" + PercentEncoding.encodeSegment(bucket)
          + "/o?uploadType=resumable&upload_id=" + u.id);
      x.responseHeaders.put("X-GUploader-UploadID", u.id);
      x.respond(200, null, new byte[0]);
    } else if ("multipart".equals(type)) {
      List<Multipart.Part> parts = Multipart.parse(x.body, Multipart.boundary(x.header("Content-Type")));
      if (parts.size() != 2) {
        throw GcsError.badRequest("a multipart upload has 2 parts (metadata, media), got " + parts.size());
      }
      JsonNode meta = json(parts.get(0).body());
      ObjectNode attributes = StoredObject.writable(meta);
      String mediaType = parts.get(1).headers().get("Content-Type");
      if (!attributes.has("contentType") && mediaType != null) {
        attributes.put("contentType", mediaType);
      }
      String name = x.param("name") != null ? x.param("name") : meta.path("name").asText(null);
      byte[] data = parts.get(1).body();
      checkHashes(meta, data);
      x.respondJson(200, store.put(bucket, name, data, attributes, pre).toJson(base));
    } else if ("media".equals(type) || type == null) {
      ObjectNode attributes = StoredObject.JSON.createObjectNode();
      if (x.header("Content-Type") != null) {
        attributes.put("contentType", x.header("Content-Type"));
      }
      x.respondJson(200, store.put(bucket, x.param("name"), x.body, attributes, pre).toJson(base));
    } else {
      throw GcsError.badRequest("unknown uploadType=" + type);
    }
  }

  /**
   * A PUT to a resumable session: {@code Content-Range: bytes a-b/*} (more to come), {@code bytes
   * a-b/N} (last chunk), {@code bytes *}{@code /N} (finish) or {@code bytes *}{@code /*} (status).
   * Incomplete sessions answer 308 with {@code Range: bytes=0-k}.
   */
  private void resumableChunk(ApiExchange x, String id, String base) {
    if (x.method.equals("DELETE")) {
      store.cancelUpload(id);
      x.respond(499, null, new byte[0]);
      return;
    }
    String contentRange = x.header("Content-Range");
    ObjectStore.Upload u;
    if (contentRange == null || contentRange.isBlank()) {
      u = chunk(id, 0, x.body, (long) x.body.length);
    } else {
      Matcher m = CONTENT_RANGE.matcher(contentRange.trim());
      if (!m.matches()) {
        throw GcsError.badRequest("bad Content-Range '" + contentRange + "'");
      }
      Long total = m.group(3).equals("*") ? null : Long.parseLong(m.group(3));
      if (m.group(1) == null) {
        u = total == null ? store.upload(id) : store.continueUpload(id, 0, new byte[0], total);
      } else {
        long first = Long.parseLong(m.group(1));
        long last = Long.parseLong(m.group(2));
        if (last - first + 1 != x.body.length) {
          throw GcsError.badRequest("Content-Range " + contentRange + " but the body has " + x.body.length + " bytes");
        }
        u = chunk(id, first, x.body, total);
      }
    }
    if (u.result != null) {
      x.respondJson(200, u.result.toJson(base));
      return;
    }
    long have = u.received.size();
    if (have > 0) {
      x.responseHeaders.put("Range", "bytes=0-" + (have - 1));
    }
    x.respond(308, null, new byte[0]);
  }

  /**
   * Takes a chunk of an upload, unless an armed mid-upload failure cuts it: then only its bytes
   * before the cut are kept, and the call ends with no answer.
   */
  private ObjectStore.Upload chunk(String id, long first, byte[] data, Long total) {
    ObjectStore.Upload u = store.upload(id);
    if (u.result == null && first <= u.received.size()) {
      long cut = faults.get().midUploadCut(first, first + data.length);
      if (cut >= 0) {
        store.continueUpload(id, first, Arrays.copyOf(data, (int) (cut - first)), null);
        throw new ConnectionDropped("gs://" + u.bucket + "/" + u.name + ": kept its first " + cut
            + " bytes, of a chunk of bytes " + first + "-" + (first + data.length - 1));
      }
    }
    return store.continueUpload(id, first, data, total);
  }

  private void rewrite(ApiExchange x, String srcBucket, String srcName, String dstBucket, String dstName,
      boolean rewriteResponse, String base) {
    Long sourceGeneration = Preconditions.number(x.param("sourceGeneration"), "sourceGeneration");
    StoredObject src = store.get(srcBucket, srcName, sourceGeneration, Preconditions.from(x::param, true));
    JsonNode meta = x.body.length == 0 ? null : json(x.body);
    ObjectNode attributes = meta != null && meta.size() > 0 ? StoredObject.writable(meta) : src.attributes();
    StoredObject dst = store.put(dstBucket, dstName, src.data(), attributes, Preconditions.from(x::param, false));
    if (!rewriteResponse) {
      x.respondJson(200, dst.toJson(base));
      return;
    }
    ObjectNode out = StoredObject.JSON.createObjectNode();
    out.put("kind", "storage#rewriteResponse");
    out.put("totalBytesRewritten", Long.toString(dst.data().length));
    out.put("objectSize", Long.toString(dst.data().length));
    out.put("done", true);
    out.set("resource", dst.toJson(base));
    x.respondJson(200, out);
  }

  private void compose(ApiExchange x, String bucket, String name, String base) {
    JsonNode body = json(x.body);
    JsonNode sources = body.path("sourceObjects");
    if (!sources.isArray() || sources.isEmpty() || sources.size() > 32) {
      throw GcsError.badRequest("compose needs 1 to 32 sourceObjects, got " + sources.size());
    }
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    for (JsonNode s : sources) {
      Long ifMatch = Preconditions.number(s.path("objectPreconditions").path("ifGenerationMatch").asText(null),
          "ifGenerationMatch");
      Long generation = Preconditions.number(s.path("generation").asText(null), "generation");
      StoredObject part = store.get(bucket, s.path("name").asText(), generation,
          new Preconditions(ifMatch, null, null, null));
      data.writeBytes(part.data());
    }
    JsonNode destination = body.path("destination");
    x.respondJson(200, store.put(bucket, name, data.toByteArray(), destination.isMissingNode() ? null : destination,
        Preconditions.from(x::param, false)).toJson(base));
  }

  /** {@code /batch/storage/v1}: a multipart/mixed body of HTTP requests, answered part by part. */
  private void batch(ApiExchange x, String base) {
    List<Multipart.Part> parts = Multipart.parse(x.body, Multipart.boundary(x.header("Content-Type")));
    List<ApiExchange> answers = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (Multipart.Part part : parts) {
      ApiExchange inner;
      try {
        inner = Multipart.request(part);
        handle(inner, base);
      } catch (GcsError e) { // a part that is no HTTP request gets its own error answer
        inner = new ApiExchange("GET", "/", java.util.Map.of(), new byte[0]);
        inner.respondError(e);
      }
      answers.add(inner);
      ids.add(part.headers().get("Content-ID"));
    }
    String boundary = "batch_" + Long.toHexString(System.nanoTime());
    x.respond(200, "multipart/mixed; boundary=" + boundary, Multipart.batchResponse(boundary, answers, ids));
  }

  /** Refuses a multipart upload whose declared md5Hash or crc32c does not match the bytes. */
  private static void checkHashes(JsonNode meta, byte[] data) {
    String md5 = meta.path("md5Hash").asText(null);
    if (md5 != null && !md5.equals(java.util.Base64.getEncoder().encodeToString(StoredObject.md5(data)))) {
      throw GcsError.badRequest("md5Hash " + md5 + " does not match the uploaded bytes");
    }
    String crc = meta.path("crc32c").asText(null);
    if (crc != null && !crc.equals(StoredObject.crc32c(data))) {
      throw GcsError.badRequest("crc32c " + crc + " does not match the uploaded bytes");
    }
  }

  /** Page tokens are opaque to clients: the last listed name, base64url. */
  private static String pageToken(String lastName) {
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
        lastName.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private static String pageTokenName(String token) {
    try {
      return ApiExchange.text(java.util.Base64.getUrlDecoder().decode(token));
    } catch (IllegalArgumentException e) {
      throw GcsError.badRequest("invalid pageToken " + token);
    }
  }

  private static JsonNode json(byte[] body) {
    if (body.length == 0) {
      return StoredObject.JSON.createObjectNode();
    }
    try {
      return StoredObject.JSON.readTree(body);
    } catch (IOException e) {
      throw GcsError.badRequest("the body is not JSON: " + e.getMessage());
    }
  }
}
