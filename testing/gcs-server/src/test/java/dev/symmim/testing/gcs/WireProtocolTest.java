package dev.symmim.testing.gcs;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** Protocol details the clients rely on, checked on the wire (java.net.http, no GCS library). */
public class WireProtocolTest {
  private GcsServer server;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Before
  public void start() throws Exception {
    server = GcsServer.start(0);
  }

  @After
  public void stop() {
    server.close();
  }

  private HttpResponse<byte[]> send(String method, String path, byte[] body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.host() + path)).method(method,
        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static JsonNode json(HttpResponse<byte[]> r) throws Exception {
    return StoredObject.JSON.readTree(r.body());
  }

  static byte[] gzip(byte[] data) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(data);
    }
    return out.toByteArray();
  }

  @Test
  public void resumableUploadAnswers308WithTheReceivedRangeAndAcceptsOverlaps() throws Exception {
    HttpResponse<byte[]> init = send("POST", "/upload/storage/v1/b/wire/o?uploadType=resumable&ifGenerationMatch=0",
        "{\"name\":\"r/obj\",\"contentType\":\"text/plain\"}".getBytes(StandardCharsets.UTF_8),
        "Content-Type", "application/json");
    assertEquals(200, init.statusCode());
    String session = init.headers().firstValue("Location").orElseThrow().substring(server.host().length());
    byte[] data = "0123456789abcdefghij".getBytes(StandardCharsets.UTF_8);

    HttpResponse<byte[]> status = send("PUT", session, new byte[0], "Content-Range", "bytes */*");
    assertEquals(308, status.statusCode());
    assertTrue(status.headers().firstValue("Range").isEmpty()); // nothing received yet

    HttpResponse<byte[]> first = send("PUT", session, gzip(Arrays.copyOfRange(data, 0, 10)),
        "Content-Range", "bytes 0-9/*", "Content-Encoding", "gzip");
    assertEquals(308, first.statusCode());
    assertEquals("bytes=0-9", first.headers().firstValue("Range").orElseThrow());

    // A client that lost the answer re-sends from byte 5: the overlap is skipped, not appended twice.
    HttpResponse<byte[]> last = send("PUT", session, Arrays.copyOfRange(data, 5, 20), "Content-Range", "bytes 5-19/20");
    assertEquals(200, last.statusCode());
    assertEquals("20", json(last).get("size").asText());
    assertEquals("text/plain", json(last).get("contentType").asText());

    HttpResponse<byte[]> again = send("PUT", session, new byte[0], "Content-Range", "bytes */20");
    assertEquals(200, again.statusCode()); // a finished session keeps answering with its object
    assertArrayEquals(data, send("GET", "/storage/v1/b/wire/o/r%2Fobj?alt=media", null).body());
  }

  @Test
  public void aGapInAResumableUploadIsRefused() throws Exception {
    HttpResponse<byte[]> init =
        send("POST", "/upload/storage/v1/b/wire/o?uploadType=resumable&name=gap", new byte[0]);
    String session = init.headers().firstValue("Location").orElseThrow().substring(server.host().length());
    assertEquals(400, send("PUT", session, new byte[] {1, 2}, "Content-Range", "bytes 4-5/6").statusCode());
  }

  @Test
  public void rangedReadsAnswer206AndRefuseRangesPastTheEnd() throws Exception {
    send("POST", "/upload/storage/v1/b/wire/o?uploadType=media&name=ten", "0123456789".getBytes(StandardCharsets.UTF_8));
    HttpResponse<byte[]> mid = send("GET", "/storage/v1/b/wire/o/ten?alt=media", null, "Range", "bytes=3-5");
    assertEquals(206, mid.statusCode());
    assertEquals("345", new String(mid.body(), StandardCharsets.UTF_8));
    assertEquals("bytes 3-5/10", mid.headers().firstValue("Content-Range").orElseThrow());
    assertEquals("789", new String(send("GET", "/storage/v1/b/wire/o/ten?alt=media", null, "Range", "bytes=-3").body(),
        StandardCharsets.UTF_8));
    assertEquals(416, send("GET", "/storage/v1/b/wire/o/ten?alt=media", null, "Range", "bytes=10-").statusCode());
  }

  @Test
  public void batchPartsMayBeGzippedAndAreAnsweredInOrder() throws Exception {
    send("POST", "/upload/storage/v1/b/wire/o?uploadType=media&name=a%2Fb", new byte[] {7});
    String inner = "{\"contentType\":\"application/x-moved\"}";
    byte[] gz = gzip(inner.getBytes(StandardCharsets.UTF_8));
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(("--B\r\nContent-Type: application/http\r\nContent-ID: <1>\r\n\r\n"
        + "POST " + server.host() + "/storage/v1/b/wire/o/a%2Fb/rewriteTo/b/wire/o/c%2Fd HTTP/1.1\r\n"
        + "Content-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: " + gz.length + "\r\n\r\n")
        .getBytes(StandardCharsets.UTF_8));
    body.writeBytes(gz);
    body.writeBytes(("\r\n--B\r\nContent-Type: application/http\r\nContent-ID: <2>\r\n\r\n"
        + "DELETE /storage/v1/b/wire/o/a%2Fb HTTP/1.1\r\n\r\n\r\n"
        + "--B\r\nContent-Type: application/http\r\nContent-ID: <3>\r\n\r\n"
        + "DELETE /storage/v1/b/wire/o/missing HTTP/1.1\r\n\r\n\r\n--B--\r\n").getBytes(StandardCharsets.UTF_8));
    HttpResponse<byte[]> r = send("POST", "/batch/storage/v1", body.toByteArray(),
        "Content-Type", "multipart/mixed; boundary=B");
    assertEquals(200, r.statusCode());
    String answer = new String(r.body(), StandardCharsets.UTF_8);
    int ok = answer.indexOf("HTTP/1.1 200 OK");
    int deleted = answer.indexOf("HTTP/1.1 204");
    int missing = answer.indexOf("HTTP/1.1 404");
    assertTrue(answer, ok > 0 && ok < deleted && deleted < missing);
    assertTrue(answer, answer.contains("Content-ID: <response-1>") && answer.contains("application/x-moved"));
    assertEquals(404, send("GET", "/storage/v1/b/wire/o/a%2Fb", null).statusCode());
    assertArrayEquals(new byte[] {7}, send("GET", "/download/storage/v1/b/wire/o/c%2Fd?alt=media", null).body());
  }

  @Test
  public void listingsPageThroughPrefixesWithoutRepeats() throws Exception {
    for (String name : new String[] {"p/1", "p/2/x", "p/2/y", "p/3", "p/4/z"}) {
      send("POST", "/upload/storage/v1/b/wire/o?uploadType=media&name=" + name, new byte[] {1});
    }
    StringBuilder seen = new StringBuilder();
    String token = null;
    int pages = 0;
    do {
      JsonNode page = json(send("GET", "/storage/v1/b/wire/o?prefix=p%2F&delimiter=%2F&maxResults=1"
          + (token == null ? "" : "&pageToken=" + token), null));
      page.path("items").forEach(i -> seen.append(i.get("name").asText()).append(' '));
      page.path("prefixes").forEach(p -> seen.append(p.asText()).append(' '));
      token = page.hasNonNull("nextPageToken") ? page.get("nextPageToken").asText() : null;
      pages++;
    } while (token != null);
    assertEquals("p/1 p/2/ p/3 p/4/ ", seen.toString());
    assertEquals(4, pages);
  }

  @Test
  public void faultsAnswer503OrDropTheConnectionBeforeTakingEffect() throws Exception {
    server.injectFaults(0.5, 1);
    int unavailable = 0;
    int dropped = 0;
    for (int i = 0; i < 40; i++) {
      try {
        HttpResponse<byte[]> r =
            send("POST", "/upload/storage/v1/b/wire/o?uploadType=media&name=f" + i, new byte[] {1});
        if (r.statusCode() == 503) {
          unavailable++;
          server.injectFaults(0, 0);
          assertEquals(404, send("GET", "/storage/v1/b/wire/o/f" + i, null).statusCode());
          server.injectFaults(0.5, 100 + i);
        }
      } catch (java.io.IOException e) {
        dropped++;
      }
    }
    assertTrue(unavailable + " 503s", unavailable > 0);
    assertTrue(dropped + " dropped", dropped > 0);
  }

  @Test
  public void slowFaultsAnswerNormallyAfterTheirDelay() throws Exception {
    server.injectFaults(0.99, 2);
    int late = 0;
    int answered = 0;
    for (int i = 0; i < 15; i++) {
      long t0 = System.nanoTime();
      try {
        HttpResponse<byte[]> r =
            send("POST", "/upload/storage/v1/b/wire/o?uploadType=media&name=s" + i, new byte[] {(byte) i});
        if (r.statusCode() == 200) {
          answered++;
          late += System.nanoTime() - t0 >= FaultInjector.SLOW_MIN_MILLIS * 1_000_000L ? 1 : 0;
        }
      } catch (java.io.IOException e) {
        // a dropped connection
      }
    }
    GcsServer.FaultCounts counts = server.faultCounts();
    assertTrue(counts.toString(), counts.slow() > 0 && counts.unavailable() > 0 && counts.resets() > 0);
    assertEquals(15, counts.calls());
    assertEquals(counts.toString(), 15 - counts.unavailable() - counts.resets(), answered);
    // Every slow call was late (a normal one may be too, on a loaded machine), and took effect.
    assertTrue(late + " late of " + counts, late >= counts.slow());
    server.injectFaults(0, 0);
    int stored = 0;
    for (int i = 0; i < 15; i++) {
      stored += send("GET", "/storage/v1/b/wire/o/s" + i, null).statusCode() == 200 ? 1 : 0;
    }
    assertEquals(answered, stored);
  }

  @Test
  public void aResumableChunkCutInItsMiddleKeepsItsFirstBytesOnceAndTheClientResumes() throws Exception {
    server.failResumableUploadOnce(10);
    byte[] data = "0123456789abcdefghijklmnopqrstuvwxyz".getBytes(StandardCharsets.UTF_8);
    HttpResponse<byte[]> init = send("POST", "/upload/storage/v1/b/wire/o?uploadType=resumable&name=cut",
        new byte[0]);
    String session = init.headers().firstValue("Location").orElseThrow().substring(server.host().length());
    // The first chunk ends before the armed offset: taken as usual.
    assertEquals(308,
        send("PUT", session, Arrays.copyOfRange(data, 0, 6), "Content-Range", "bytes 0-5/*").statusCode());
    assertEquals(0, server.faultCounts().midUploadFailures());
    // The chunk past byte 10 loses its connection after bytes 6-9 were kept.
    assertThrows(java.io.IOException.class,
        () -> send("PUT", session, Arrays.copyOfRange(data, 6, 36), "Content-Range", "bytes 6-35/36"));
    assertEquals(1, server.faultCounts().midUploadFailures());
    HttpResponse<byte[]> status = send("PUT", session, new byte[0], "Content-Range", "bytes */*");
    assertEquals(308, status.statusCode());
    assertEquals("bytes=0-9", status.headers().firstValue("Range").orElseThrow());
    assertEquals(404, send("GET", "/storage/v1/b/wire/o/cut", null).statusCode());
    // Once: the rest goes through, and so does a second upload past the offset.
    HttpResponse<byte[]> rest =
        send("PUT", session, Arrays.copyOfRange(data, 10, 36), "Content-Range", "bytes 10-35/36");
    assertEquals(200, rest.statusCode());
    assertArrayEquals(data, send("GET", "/storage/v1/b/wire/o/cut?alt=media", null).body());
    HttpResponse<byte[]> again = send("POST", "/upload/storage/v1/b/wire/o?uploadType=resumable&name=whole",
        new byte[0]);
    String second = again.headers().firstValue("Location").orElseThrow().substring(server.host().length());
    assertEquals(200, send("PUT", second, data, "Content-Range", "bytes 0-35/36").statusCode());
    assertEquals(1, server.faultCounts().midUploadFailures());
  }
}
