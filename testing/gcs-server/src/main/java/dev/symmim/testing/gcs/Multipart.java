package dev.symmim.testing.gcs;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * MIME multipart bodies: {@code multipart/related} uploads (JSON metadata + media) and
 * {@code multipart/mixed} batches (each part an HTTP request, answered by a part holding an HTTP
 * response).
 */
final class Multipart {
  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] BLANK_LINE = {'\r', '\n', '\r', '\n'};

  /** One part: its headers (case-insensitive) and body. */
  record Part(Map<String, String> headers, byte[] body) {}

  private Multipart() {}

  /** The {@code boundary} parameter of a multipart Content-Type. */
  static String boundary(String contentType) {
    if (contentType != null) {
      for (String param : contentType.split(";")) {
        String p = param.trim();
        if (p.regionMatches(true, 0, "boundary=", 0, 9)) {
          String b = p.substring(9);
          return b.startsWith("\"") && b.endsWith("\"") ? b.substring(1, b.length() - 1) : b;
        }
      }
    }
    throw GcsError.badRequest("multipart body without a boundary (Content-Type: " + contentType + ")");
  }

  static List<Part> parse(byte[] body, String boundary) {
    byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    List<Part> parts = new ArrayList<>();
    int at = indexOf(body, delimiter, 0);
    if (at < 0) {
      throw GcsError.badRequest("multipart body has no boundary --" + boundary);
    }
    while (true) {
      int after = at + delimiter.length;
      if (after + 1 < body.length && body[after] == '-' && body[after + 1] == '-') {
        return parts; // closing delimiter
      }
      int start = indexOf(body, CRLF, after);
      if (start < 0) {
        throw GcsError.badRequest("multipart body ends inside a boundary line");
      }
      start += 2;
      byte[] next = concat(CRLF, delimiter);
      int end = indexOf(body, next, start);
      if (end < 0) {
        throw GcsError.badRequest("multipart body has no closing boundary");
      }
      parts.add(part(Arrays.copyOfRange(body, start, end)));
      at = end + 2;
    }
  }

  /** Headers up to the first blank line, then the body. */
  static Part part(byte[] bytes) {
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    int blank = bytes.length >= 2 && bytes[0] == '\r' && bytes[1] == '\n' ? 0 : indexOf(bytes, BLANK_LINE, 0);
    if (blank < 0) {
      return new Part(headers, bytes);
    }
    String head = new String(bytes, 0, blank, StandardCharsets.ISO_8859_1);
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        headers.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
      }
    }
    int bodyStart = blank == 0 ? 2 : blank + 4;
    return new Part(headers, Arrays.copyOfRange(bytes, bodyStart, bytes.length));
  }

  /** A batch part's HTTP request ("POST /storage/v1/... HTTP/1.1", headers, body) as an exchange. */
  static ApiExchange request(Part part) {
    byte[] b = part.body();
    int lineEnd = indexOf(b, CRLF, 0);
    String requestLine = new String(b, 0, lineEnd < 0 ? b.length : lineEnd, StandardCharsets.UTF_8).trim();
    String[] words = requestLine.split(" ");
    if (words.length < 2) {
      throw GcsError.badRequest("batch part without a request line: '" + requestLine + "'");
    }
    String target = words[1];
    if (target.startsWith("http://") || target.startsWith("https://")) {
      int slash = target.indexOf('/', target.indexOf("//") + 2);
      target = slash < 0 ? "/" : target.substring(slash);
    }
    Part inner = lineEnd < 0 ? new Part(Map.of(), new byte[0]) : part(Arrays.copyOfRange(b, lineEnd + 2, b.length));
    return new ApiExchange(words[0], target, inner.headers(), inner.body());
  }

  /** The multipart/mixed body answering a batch; {@code ids} are the requests' Content-IDs. */
  static byte[] batchResponse(String boundary, List<ApiExchange> answers, List<String> ids) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < answers.size(); i++) {
      ApiExchange a = answers.get(i);
      StringBuilder head = new StringBuilder();
      head.append("--").append(boundary).append("\r\n");
      head.append("Content-Type: application/http\r\n");
      String id = ids.get(i);
      if (id != null) {
        head.append("Content-ID: ").append(id.startsWith("<") ? "<response-" + id.substring(1) : "response-" + id)
            .append("\r\n");
      }
      head.append("\r\n");
      head.append("HTTP/1.1 ").append(a.status).append(' ').append(reasonPhrase(a.status)).append("\r\n");
      a.responseHeaders.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
      head.append("Content-Length: ").append(a.responseBody.length).append("\r\n\r\n");
      out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
      out.writeBytes(a.responseBody);
      out.writeBytes(CRLF);
    }
    out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  static String reasonPhrase(int status) {
    switch (status) {
      case 200: return "OK";
      case 204: return "No Content";
      case 206: return "Partial Content";
      case 304: return "Not Modified";
      case 308: return "Resume Incomplete";
      case 400: return "Bad Request";
      case 404: return "Not Found";
      case 409: return "Conflict";
      case 412: return "Precondition Failed";
      case 416: return "Requested Range Not Satisfiable";
      case 503: return "Service Unavailable";
      default: return "Status " + status;
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  static int indexOf(byte[] data, byte[] pattern, int from) {
    outer:
    for (int i = Math.max(from, 0); i <= data.length - pattern.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (data[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
