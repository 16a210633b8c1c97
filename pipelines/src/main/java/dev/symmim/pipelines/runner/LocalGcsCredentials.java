package dev.symmim.pipelines.runner;

import com.google.auth.Credentials;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import java.util.Date;
import org.apache.beam.sdk.extensions.gcp.auth.CredentialFactory;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Credentials for a GCS JSON-API server given by {@code --gcsEndpoint} (the test server of
 * {@code infra/dev/gcs-server.sh}): a fixed bearer token that never expires, so nothing asks
 * Google for a token or probes for a metadata server. Beam cannot use {@code NoCredentials} there
 * (it tries to refresh them). {@link Symmim} selects this factory through {@code
 * --credentialFactoryClass}, an option that reaches the workers, whenever {@code --gcsEndpoint}
 * is given without credentials of its own.
 */
public final class LocalGcsCredentials implements CredentialFactory {
  public static final String TOKEN = "symmim-local-gcs";

  private LocalGcsCredentials() {}

  /** Beam's factory hook (called reflectively with the pipeline's options). */
  public static LocalGcsCredentials fromOptions(PipelineOptions options) {
    return new LocalGcsCredentials();
  }

  @Override
  public Credentials getCredential() {
    return GoogleCredentials.create(new AccessToken(TOKEN, new Date(Long.MAX_VALUE)));
  }
}
