package dev.symmim.testing.gcs;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.extensions.gcp.options.GcsOptions;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions.StandardMoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.util.MimeTypes;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** The server behind Beam's gs:// filesystem (GcsFileSystem over gcsio, batch rename and delete). */
public class BeamGcsFileSystemTest {
  private GcsServer server;

  @Before
  public void start() throws Exception {
    server = GcsServer.start(0);
    GcsOptions options = PipelineOptionsFactory.fromArgs("--gcsEndpoint=" + server.endpoint()).as(GcsOptions.class);
    // Beam cannot use NoCredentials (it tries to refresh them); an unexpiring fake token never refreshes.
    options.setGcpCredential(GoogleCredentials.create(new AccessToken("fake", new Date(Long.MAX_VALUE))));
    FileSystems.setDefaultPipelineOptions(options);
  }

  @After
  public void stop() {
    server.close();
  }

  static ResourceId file(String path) {
    return FileSystems.matchNewResource(path, false);
  }

  static void write(String path, byte[] data) throws IOException {
    try (OutputStream out = Channels.newOutputStream(FileSystems.create(file(path), MimeTypes.BINARY))) {
      out.write(data);
    }
  }

  static byte[] read(String path) throws IOException {
    try (InputStream in = Channels.newInputStream(FileSystems.open(file(path)))) {
      return in.readAllBytes();
    }
  }

  static List<String> match(String spec) throws IOException {
    MatchResult m = FileSystems.match(List.of(spec), EmptyMatchTreatment.ALLOW).get(0);
    List<String> out = new ArrayList<>();
    if (m.status() == MatchResult.Status.OK) {
      m.metadata().forEach(md -> out.add(md.resourceId().toString() + "=" + md.sizeBytes()));
    }
    out.sort(null);
    return out;
  }

  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  public void writesAndReadsBackALargeFileInAnImplicitBucket() throws Exception {
    byte[] data = random(9 * 1024 * 1024 + 7, 1); // several upload chunks
    write("gs://beam/dir/big file+1.bin", data);
    assertArrayEquals(data, read("gs://beam/dir/big file+1.bin"));
    assertEquals(List.of("gs://beam/dir/big file+1.bin=" + data.length), match("gs://beam/dir/*"));
  }

  @Test
  public void matchesGlobsOverPagedListings() throws Exception {
    for (int i = 0; i < 5; i++) {
      write("gs://beam/m/a/" + i + ".txt", new byte[i]);
    }
    write("gs://beam/m/a/sub/x.txt", new byte[9]);
    write("gs://beam/m/b.txt", new byte[3]);
    assertEquals(5, match("gs://beam/m/a/*.txt").size());
    assertEquals(6, match("gs://beam/m/a/**").size());
    assertEquals(List.of("gs://beam/m/b.txt=3"), match("gs://beam/m/b.txt"));
    assertEquals(List.of(), match("gs://beam/m/nothing*"));
    assertEquals(List.of(), match("gs://beam/m/absent.txt"));
    MatchResult missing = FileSystems.match(List.of("gs://beam/m/absent.txt")).get(0);
    assertEquals(MatchResult.Status.NOT_FOUND, missing.status());
  }

  @Test
  public void seeksInsideAnObject() throws Exception {
    byte[] data = random(3_000_000, 2);
    write("gs://beam/seek.bin", data);
    try (SeekableByteChannel ch = (SeekableByteChannel) FileSystems.open(file("gs://beam/seek.bin"))) {
      assertEquals(data.length, ch.size());
      ch.position(2_500_000);
      ByteBuffer buf = ByteBuffer.allocate(1000);
      while (buf.hasRemaining() && ch.read(buf) >= 0) {
        // fill
      }
      assertArrayEquals(java.util.Arrays.copyOfRange(data, 2_500_000, 2_501_000), buf.array());
    }
  }

  @Test
  public void renamesAndDeletesInBatches() throws Exception {
    List<ResourceId> from = new ArrayList<>();
    List<ResourceId> to = new ArrayList<>();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    List<java.util.concurrent.Future<?>> writes = new ArrayList<>();
    for (int i = 0; i < 120; i++) { // more than one batch of 100
      int n = i;
      writes.add(pool.submit(() -> {
        write("gs://beam/tmp/" + n, new byte[] {(byte) n});
        return null;
      }));
      from.add(file("gs://beam/tmp/" + i));
      to.add(file("gs://beam/final/" + i));
    }
    for (java.util.concurrent.Future<?> w : writes) {
      w.get();
    }
    pool.shutdown();
    FileSystems.rename(from, to);
    assertEquals(List.of(), match("gs://beam/tmp/*"));
    assertEquals(120, match("gs://beam/final/*").size());
    assertArrayEquals(new byte[] {77}, read("gs://beam/final/77"));
    FileSystems.delete(to);
    FileSystems.delete(List.of(file("gs://beam/final/0")), StandardMoveOptions.IGNORE_MISSING_FILES);
    assertEquals(List.of(), match("gs://beam/final/*"));
  }

  @Test
  public void survivesInjectedFaults() throws Exception {
    server.injectFaults(0.2, 3);
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (int i = 0; i < 10; i++) {
      byte[] data = random(300_000, 10 + i);
      write("gs://beam/flaky/" + i, data);
      all.writeBytes(data);
    }
    List<ResourceId> from = new ArrayList<>();
    List<ResourceId> to = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      from.add(file("gs://beam/flaky/" + i));
      to.add(file("gs://beam/moved/" + i));
    }
    FileSystems.rename(from, to);
    ByteArrayOutputStream back = new ByteArrayOutputStream();
    for (int i = 0; i < 10; i++) {
      back.writeBytes(read("gs://beam/moved/" + i));
    }
    assertArrayEquals(all.toByteArray(), back.toByteArray());
    assertTrue(server.faultCounts().toString(), server.faultCounts().unavailable() + server.faultCounts().resets() > 0);
  }

  @Test
  public void aWriteResumesAfterItsUploadIsCutInTheMiddle() throws Exception {
    byte[] data = random(3_000_000, 30);
    ByteArrayOutputStream calls = new ByteArrayOutputStream();
    server.failResumableUploadOnce(1_500_000).logCalls(new java.io.PrintStream(calls, true));
    write("gs://beam/cut/big.bin", data);
    assertEquals(server.faultCounts().toString(), 1, server.faultCounts().midUploadFailures());
    // gcsio asked the session what it kept (308, empty body) and sent only the rest.
    String log = calls.toString();
    assertTrue(log, log.contains("-> 308 (0 bytes read") && log.contains("-> 200 (1500000 bytes read"));
    assertArrayEquals(data, read("gs://beam/cut/big.bin"));
  }
}
