package dev.symmim.transforms.training;

import com.google.api.gax.retrying.RetrySettings;
import com.google.cloud.NoCredentials;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;
import java.io.Serializable;
import java.net.URI;
import java.time.Duration;

/**
 * Which GCS the google-cloud-storage client talks to: real GCS with Application Default
 * Credentials ({@link #GOOGLE}), or a server given by Beam's {@code --gcsEndpoint} (the test
 * server of {@code testing/gcs-server}), reached without credentials. A value, so that it travels
 * to the worker inside a {@link PretrainRun}; the client is built there.
 *
 * <p>Retries: every call the checkpoint store makes is idempotent (reads, lists, and writes and
 * deletes with a generation precondition), and the client retries those on 503s and dropped
 * connections. The settings here allow more attempts than the default 6 with short first waits,
 * so that a run survives a burst of failed calls.
 *
 * @param host the client's host ({@code http://127.0.0.1:PORT}); empty for real GCS
 */
public record GcsEndpoint(String host) implements Serializable {
  public static final GcsEndpoint GOOGLE = new GcsEndpoint("");

  public GcsEndpoint {
    host = host == null ? "" : host;
  }

  /** From Beam's {@code --gcsEndpoint} ({@code http://127.0.0.1:PORT/storage/v1/}); null or empty: real GCS. */
  public static GcsEndpoint fromFlag(String gcsEndpoint) {
    if (gcsEndpoint == null || gcsEndpoint.isBlank()) {
      return GOOGLE;
    }
    URI uri = URI.create(gcsEndpoint);
    if (uri.getScheme() == null || uri.getHost() == null) {
      throw new IllegalArgumentException("--gcsEndpoint=" + gcsEndpoint + ": want http(s)://host[:port]/storage/v1/");
    }
    return new GcsEndpoint(uri.getScheme() + "://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : ""));
  }

  static RetrySettings retrySettings() {
    return StorageOptions.getDefaultRetrySettings().toBuilder()
        .setMaxAttempts(12)
        .setInitialRetryDelayDuration(Duration.ofMillis(20))
        .setRetryDelayMultiplier(2.0)
        .setMaxRetryDelayDuration(Duration.ofSeconds(4))
        .setTotalTimeoutDuration(Duration.ofMinutes(5))
        .build();
  }

  /** A new client (close it when done). */
  public Storage connect() {
    StorageOptions.Builder b = StorageOptions.newBuilder().setRetrySettings(retrySettings());
    if (!host.isEmpty()) {
      b.setHost(host).setProjectId("symmim-local").setCredentials(NoCredentials.getInstance());
    }
    return b.build().getService();
  }
}
