package dev.symmim.pipelines.cli;

import dev.symmim.pipelines.prepare.PrepareOptions;
import dev.symmim.pipelines.runner.LocalGcsCredentials;

import static org.junit.Assert.assertEquals;

import com.google.auth.oauth2.GoogleCredentials;
import org.apache.beam.sdk.extensions.gcp.auth.GcpCredentialFactory;
import org.apache.beam.sdk.extensions.gcp.options.GcpOptions;
import org.apache.beam.sdk.extensions.gcp.options.GcsOptions;
import org.junit.Test;

/** {@code --gcsEndpoint} on any command selects local credentials; without it Beam's defaults stay. */
public class GcsEndpointFlagTest {
  @Test
  public void anEndpointSelectsTheLocalTokenWithoutAskingGoogle() throws Exception {
    PrepareOptions o = Symmim.parse(new String[] {"--gcsEndpoint=http://127.0.0.1:4443/storage/v1/",
        "--input=gs://in/x", "--output=gs://out/y"}, PrepareOptions.class);
    assertEquals("http://127.0.0.1:4443/storage/v1/", o.as(GcsOptions.class).getGcsEndpoint());
    assertEquals(LocalGcsCredentials.class, o.as(GcpOptions.class).getCredentialFactoryClass());
    GoogleCredentials c = (GoogleCredentials) o.as(GcpOptions.class).getGcpCredential();
    assertEquals(LocalGcsCredentials.TOKEN, c.getAccessToken().getTokenValue());
  }

  @Test
  public void explicitCredentialsAndNoEndpointAreLeftAlone() {
    assertEquals(GcpCredentialFactory.class,
        Symmim.parse(new String[] {"--input=x"}, PrepareOptions.class).as(GcpOptions.class)
            .getCredentialFactoryClass());
    assertEquals(GcpCredentialFactory.class, Symmim.parse(new String[] {"--gcsEndpoint=http://127.0.0.1:1/",
        "--credentialFactoryClass=" + GcpCredentialFactory.class.getName()}, PrepareOptions.class)
        .as(GcpOptions.class).getCredentialFactoryClass());
  }
}
