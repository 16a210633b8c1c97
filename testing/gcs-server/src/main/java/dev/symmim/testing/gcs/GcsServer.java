package dev.symmim.testing.gcs;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A small server speaking the GCS JSON API on 127.0.0.1, holding buckets and objects in memory:
 * what Beam's gs:// filesystem and the google-cloud-storage client need (see PLATFORM.md, section
 * GCS). Use it in-process as a test fixture ({@code try (GcsServer gcs = GcsServer.start(0))},
 * then {@code --gcsEndpoint=} {@link #endpoint()}) or in the foreground with {@code
 * infra/dev/gcs-server.sh --port=4443}. Buckets are created through the API or on first write.
 *
 * <p>With {@link #injectFaults} a fraction of calls is answered 503 or has its connection closed
 * without a response, before the call takes effect, or is answered late, as a flaky network or
 * front end would; with {@link #failResumableUploadOnce} one resumable upload loses its connection
 * in the middle of a chunk, after the server kept part of it.
 */
public final class GcsServer implements AutoCloseable {
  /**
   * What fault injection did so far: calls seen, calls answered 503, connections dropped, calls
   * answered late, and resumable chunks cut in the middle ({@link #failResumableUploadOnce}).
   */
  public record FaultCounts(long calls, long unavailable, long resets, long slow, long midUploadFailures) {}

  static {
    // Without TCP_NODELAY each small response waits ~40 ms for the client's delayed ACK (Nagle).
    // Read once, when the JDK's server classes load: set it before any HttpServer is created.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private final HttpServer http;
  private final ExecutorService executor;
  private final JsonApi api;
  private volatile FaultInjector faults = new FaultInjector(0, 0);
  private volatile PrintStream log;

  private GcsServer(int port) throws IOException {
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
    executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "gcs-server");
      t.setDaemon(true);
      return t;
    });
    api = new JsonApi(new ObjectStore(Clock.systemUTC()), () -> faults);
    http.createContext("/", this::serve);
    http.setExecutor(executor);
    http.start();
  }

  /** Starts a server on 127.0.0.1:{@code port} (0 = a free port). */
  public static GcsServer start(int port) throws IOException {
    return new GcsServer(port);
  }

  public int port() {
    return http.getAddress().getPort();
  }

  /** The value for Beam's {@code --gcsEndpoint}: {@code http://127.0.0.1:PORT/storage/v1/}. */
  public String endpoint() {
    return host() + "/storage/v1/";
  }

  /** The value for the client's {@code StorageOptions.Builder.setHost}: {@code http://127.0.0.1:PORT}. */
  public String host() {
    return "http://127.0.0.1:" + port();
  }

  /**
   * From now on fails a fraction {@code rate} in [0, 1) of calls, drawn from a random sequence
   * seeded with {@code seed}: a third answered 503, a third with the connection dropped (both
   * before the call takes effect), a third answered normally after 200 to 500 ms. Rate 0 turns
   * faults off. Counts restart from zero, and an armed {@link #failResumableUploadOnce} is
   * disarmed.
   */
  public GcsServer injectFaults(double rate, long seed) {
    faults = new FaultInjector(rate, seed);
    return this;
  }

  /**
   * Fails one resumable upload in its middle, once: the first chunk (a PUT to an upload session)
   * that reaches past byte {@code afterBytes} of its object has its bytes before that offset kept
   * and its connection dropped without an answer. The client must ask the session how much it has
   * ({@code Content-Range: bytes *}{@code /*}, answered 308 with {@code Range: bytes=0-(n-1)}) and
   * send the rest. Call it after {@link #injectFaults}, which disarms it.
   */
  public GcsServer failResumableUploadOnce(long afterBytes) {
    faults.armMidUpload(afterBytes);
    return this;
  }

  public FaultCounts faultCounts() {
    FaultInjector f = faults;
    return new FaultCounts(f.calls(), f.unavailable(), f.resets(), f.slow(), f.midUploadFailures());
  }

  /** Logs one line per call ("METHOD path -> status") to {@code out}; null stops logging. */
  public GcsServer logCalls(PrintStream out) {
    log = out;
    return this;
  }

  @Override
  public void close() {
    http.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void serve(HttpExchange exchange) throws IOException {
    long start = System.nanoTime();
    try (exchange) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      long read = System.nanoTime();
      String target = exchange.getRequestURI().getRawPath()
          + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery());
      FaultInjector.Decision decision = faults.next();
      FaultInjector.Fault fault = decision.fault();
      if (fault == FaultInjector.Fault.RESET) {
        log(exchange.getRequestMethod(), target, "connection dropped (injected)");
        return; // closing the exchange before any response closes the connection
      }
      if (fault == FaultInjector.Fault.SLOW) {
        try {
          Thread.sleep(decision.delayMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return; // the server is closing
        }
      }
      Map<String, String> headers = new HashMap<>();
      exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, String.join(",", v)));
      String hostHeader = exchange.getRequestHeaders().getFirst("Host");
      String base = "http://" + (hostHeader == null ? "127.0.0.1:" + port() : hostHeader);
      ApiExchange x;
      if (fault == FaultInjector.Fault.UNAVAILABLE) {
        x = new ApiExchange(exchange.getRequestMethod(), target, Map.of(), new byte[0]);
        x.respondError(new GcsError(503, "backendError", "injected fault: service unavailable"));
      } else {
        try {
          x = new ApiExchange(exchange.getRequestMethod(), target, headers, body);
          api.handle(x, base);
        } catch (GcsError e) {
          x = new ApiExchange(exchange.getRequestMethod(), target, Map.of(), new byte[0]);
          x.respondError(e);
        } catch (JsonApi.ConnectionDropped e) {
          log(exchange.getRequestMethod(), target, "connection dropped mid-upload (injected): " + e.getMessage());
          return;
        }
      }
      // Logged before the answer leaves, so that a client holding its answer finds the call's line in the log.
      String late = fault == FaultInjector.Fault.SLOW ? ", " + decision.delayMillis() + " ms late (injected)" : "";
      log(exchange.getRequestMethod(), target, x.status + String.format(" (%d bytes read in %.1f ms, answered in %.1f ms%s)",
          body.length, (read - start) / 1e6, (System.nanoTime() - read) / 1e6, late));
      x.responseHeaders.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
      boolean noBody = x.responseBody.length == 0 || exchange.getRequestMethod().equals("HEAD");
      exchange.sendResponseHeaders(x.status, noBody ? -1 : x.responseBody.length);
      if (!noBody) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(x.responseBody);
        }
      }
    } catch (RuntimeException e) {
      // A bug here must be visible; the client sees the connection close and retries or fails.
      e.printStackTrace();
      throw e;
    }
  }

  private void log(String method, String target, String outcome) {
    PrintStream out = log;
    if (out != null) {
      out.println("gcs-server: " + method + " " + target + " -> " + outcome);
    }
  }

  /**
   * {@code GcsServer [--port=4443] [--faultRate=0] [--faultSeed=0] [--quiet]}: serves in the
   * foreground until killed.
   */
  public static void main(String[] args) throws Exception {
    int port = 4443;
    double faultRate = 0;
    long faultSeed = 0;
    boolean quiet = false;
    for (String a : args) {
      String value = a.contains("=") ? a.substring(a.indexOf('=') + 1) : "";
      try {
        if (a.startsWith("--port=")) {
          port = Integer.parseInt(value);
        } else if (a.startsWith("--faultRate=")) {
          faultRate = Double.parseDouble(value);
        } else if (a.startsWith("--faultSeed=")) {
          faultSeed = Long.parseLong(value);
        } else if (a.equals("--quiet")) {
          quiet = true;
        } else {
          usage("unknown flag '" + a + "'");
        }
      } catch (NumberFormatException e) {
        usage(a + ": not a number");
      }
    }
    if (port < 0 || port > 65535) {
      usage("--port=" + port + ": must be in [0, 65535]");
    }
    if (!(faultRate >= 0 && faultRate < 1)) {
      usage("--faultRate=" + faultRate + ": must be in [0, 1)");
    }
    GcsServer server;
    try {
      server = start(port);
    } catch (java.net.BindException e) {
      usage("--port=" + port + ": " + e.getMessage() + " (is another server running there?)");
      return;
    }
    server.injectFaults(faultRate, faultSeed);
    if (!quiet) {
      server.logCalls(System.out);
    }
    System.out.println("gcs-server: listening on " + server.host() + " (in memory; Ctrl-C stops it)");
    System.out.println("gcs-server: use --gcsEndpoint=" + server.endpoint()
        + (faultRate > 0 ? "; failing " + faultRate + " of calls (seed " + faultSeed + ")" : ""));
    Runtime.getRuntime().addShutdownHook(new Thread(server::close));
    Thread.currentThread().join();
  }

  private static void usage(String problem) {
    System.err.println("gcs-server: error: " + problem);
    System.err.println("usage: gcs-server.sh [--port=4443] [--faultRate=0] [--faultSeed=0] [--quiet]");
    System.exit(2);
  }

}
