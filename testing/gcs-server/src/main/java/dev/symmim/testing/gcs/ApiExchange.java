package dev.symmim.testing.gcs;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

/**
 * One API call, whether it came as an HTTP request or as a part of a batch: the request (body
 * already un-gzipped) and, once handled, the response.
 */
final class ApiExchange {
  final String method;
  final String rawPath;
  final Map<String, String> query;
  final Map<String, String> headers;
  final byte[] body;

  int status = 200;
  final Map<String, String> responseHeaders = new LinkedHashMap<>();
  byte[] responseBody = new byte[0];

  ApiExchange(String method, String rawPathAndQuery, Map<String, String> headers, byte[] body) {
    this.method = method;
    int q = rawPathAndQuery.indexOf('?');
    this.rawPath = q < 0 ? rawPathAndQuery : rawPathAndQuery.substring(0, q);
    this.query = parseQuery(q < 0 ? "" : rawPathAndQuery.substring(q + 1));
    this.headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    this.headers.putAll(headers);
    String encoding = this.headers.get("Content-Encoding");
    this.body = encoding != null && encoding.trim().equalsIgnoreCase("gzip") ? gunzip(body) : body;
  }

  String param(String name) {
    return query.get(name);
  }

  String header(String name) {
    return headers.get(name);
  }

  /** The path's segments, percent-decoded (an object name is one segment). */
  List<String> segments() {
    List<String> out = new ArrayList<>();
    for (String s : rawPath.split("/")) {
      if (!s.isEmpty()) {
        out.add(PercentEncoding.decode(s, false));
      }
    }
    return out;
  }

  void respond(int status, String contentType, byte[] body) {
    this.status = status;
    if (contentType != null) {
      responseHeaders.put("Content-Type", contentType);
    }
    this.responseBody = body;
  }

  void respondJson(int status, Object json) {
    try {
      respond(status, "application/json; charset=UTF-8", StoredObject.JSON.writeValueAsBytes(json));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void respondError(GcsError e) {
    var error = StoredObject.JSON.createObjectNode();
    var inner = error.putObject("error");
    inner.put("code", e.status);
    inner.put("message", e.getMessage());
    var item = inner.putArray("errors").addObject();
    item.put("domain", "global");
    item.put("reason", e.reason);
    item.put("message", e.getMessage());
    responseHeaders.clear();
    respondJson(e.status, error);
  }

  static Map<String, String> parseQuery(String q) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String kv : q.split("&")) {
      if (kv.isEmpty()) {
        continue;
      }
      int eq = kv.indexOf('=');
      String k = PercentEncoding.decode(eq < 0 ? kv : kv.substring(0, eq), true);
      String v = eq < 0 ? "" : PercentEncoding.decode(kv.substring(eq + 1), true);
      out.putIfAbsent(k, v);
    }
    return out;
  }

  static byte[] gunzip(byte[] data) {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw GcsError.badRequest("Content-Encoding: gzip but the body is not gzip: " + e.getMessage());
    }
  }

  static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
