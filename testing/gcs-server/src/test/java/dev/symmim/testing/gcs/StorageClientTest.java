package dev.symmim.testing.gcs;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.google.api.gax.paging.Page;
import com.google.api.gax.retrying.RetrySettings;
import com.google.cloud.NoCredentials;
import com.google.cloud.ReadChannel;
import com.google.cloud.WriteChannel;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.BucketInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import com.google.cloud.storage.StorageOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** The server against the real google-cloud-storage client (JSON transport, its own retries). */
public class StorageClientTest {
  private GcsServer server;
  private Storage storage;

  @Before
  public void start() throws Exception {
    server = GcsServer.start(0);
    // The client's own retry policy, with short waits so that the fault test stays quick.
    RetrySettings quickRetries = StorageOptions.getDefaultRetrySettings().toBuilder()
        .setInitialRetryDelayDuration(Duration.ofMillis(5)).setMaxRetryDelayDuration(Duration.ofMillis(50)).build();
    storage = StorageOptions.newBuilder().setHost(server.host()).setProjectId("test")
        .setCredentials(NoCredentials.getInstance()).setRetrySettings(quickRetries).build().getService();
    storage.create(BucketInfo.of("client"));
  }

  @After
  public void stop() throws Exception {
    storage.close();
    server.close();
  }

  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  public void createsReadsAndReportsHashes() {
    byte[] data = "hello, gs://client/dir/a.txt".getBytes(StandardCharsets.UTF_8);
    BlobInfo info = BlobInfo.newBuilder("client", "dir/a.txt").setContentType("text/plain").build();
    Blob created = storage.create(info, data);
    assertEquals(Long.valueOf(data.length), created.getSize());
    assertEquals("text/plain", created.getContentType());
    // The client computes both hashes itself: the server's must agree.
    assertEquals(com.google.common.hash.Hashing.crc32c().hashBytes(data).asInt(),
        ByteBuffer.wrap(java.util.Base64.getDecoder().decode(created.getCrc32c())).getInt());
    assertEquals(java.util.Base64.getEncoder().encodeToString(StoredObject.md5(data)), created.getMd5());
    assertArrayEquals(data, storage.readAllBytes(BlobId.of("client", "dir/a.txt")));
    assertEquals(created.getGeneration(), storage.get("client", "dir/a.txt").getGeneration());
  }

  @Test
  public void bucketsAreCreatedThroughTheApiOnceAndOnFirstWrite() {
    StorageException twice = assertThrows(StorageException.class, () -> storage.create(BucketInfo.of("client")));
    assertEquals(409, twice.getCode());
    assertNull(storage.get("implicit"));
    storage.create(BlobInfo.newBuilder("implicit", "x").build(), new byte[] {1});
    assertEquals("implicit", storage.get("implicit").getName());
  }

  @Test
  public void resumableUploadOfSeveralChunksRoundTrips() throws Exception {
    byte[] data = random(3 * 1024 * 1024 + 12345, 1);
    try (WriteChannel w = storage.writer(BlobInfo.newBuilder("client", "big/blob.bin").build())) {
      w.setChunkSize(256 * 1024);
      for (int at = 0; at < data.length; at += 100_000) {
        w.write(ByteBuffer.wrap(data, at, Math.min(100_000, data.length - at)));
      }
    }
    assertArrayEquals(data, storage.readAllBytes(BlobId.of("client", "big/blob.bin")));
    assertEquals(Long.valueOf(data.length), storage.get("client", "big/blob.bin").getSize());
  }

  @Test
  public void rangedReadReturnsTheSlice() throws Exception {
    byte[] data = random(100_000, 2);
    storage.create(BlobInfo.newBuilder("client", "ranged.bin").build(), data);
    try (ReadChannel r = storage.reader(BlobId.of("client", "ranged.bin"))) {
      r.seek(40_000);
      r.limit(40_100);
      ByteBuffer buf = ByteBuffer.allocate(1000);
      while (r.read(buf) >= 0 && buf.hasRemaining()) {
        // read until the limit
      }
      buf.flip();
      assertEquals(100, buf.remaining());
      byte[] got = new byte[100];
      buf.get(got);
      assertArrayEquals(java.util.Arrays.copyOfRange(data, 40_000, 40_100), got);
    }
  }

  @Test
  public void listsWithPrefixDelimiterAndPages() {
    for (String name : List.of("l/a", "l/b", "l/c/1", "l/c/2", "l/d", "l/e/1", "m/z")) {
      storage.create(BlobInfo.newBuilder("client", name).build(), name.getBytes(StandardCharsets.UTF_8));
    }
    List<String> flat = new ArrayList<>();
    Page<Blob> page = storage.list("client", Storage.BlobListOption.prefix("l/"), Storage.BlobListOption.pageSize(2));
    int pages = 0;
    for (; page != null; page = page.getNextPage()) {
      pages++;
      page.getValues().forEach(b -> flat.add(b.getName()));
    }
    assertEquals(List.of("l/a", "l/b", "l/c/1", "l/c/2", "l/d", "l/e/1"), flat);
    assertEquals(3, pages);
    List<String> shallow = new ArrayList<>();
    storage.list("client", Storage.BlobListOption.prefix("l/"), Storage.BlobListOption.currentDirectory(),
        Storage.BlobListOption.pageSize(2)).iterateAll().forEach(b -> shallow.add(b.getName()));
    // Each page lists its objects, then its prefixes: "l/c/" shares page 2 with "l/d".
    assertEquals(List.of("l/a", "l/b", "l/d", "l/c/", "l/e/"), shallow);
  }

  @Test
  public void renameIsCopyThenDelete() {
    byte[] data = random(5000, 3);
    storage.create(BlobInfo.newBuilder("client", "from/x.bin").setContentType("application/x-test").build(), data);
    Blob copy = storage.copy(Storage.CopyRequest.of("client", "from/x.bin", BlobId.of("client", "to/x.bin")))
        .getResult();
    assertEquals("application/x-test", copy.getContentType());
    assertTrue(storage.delete("client", "from/x.bin"));
    assertFalse(storage.delete("client", "from/x.bin"));
    assertNull(storage.get("client", "from/x.bin"));
    assertArrayEquals(data, storage.readAllBytes(BlobId.of("client", "to/x.bin")));
  }

  @Test
  public void composeConcatenatesSources() {
    storage.create(BlobInfo.newBuilder("client", "part-1").build(), "abc".getBytes(StandardCharsets.UTF_8));
    storage.create(BlobInfo.newBuilder("client", "part-2").build(), "defg".getBytes(StandardCharsets.UTF_8));
    Blob whole = storage.compose(Storage.ComposeRequest.newBuilder().addSource("part-1", "part-2")
        .setTarget(BlobInfo.newBuilder("client", "whole").build()).build());
    assertEquals(Long.valueOf(7), whole.getSize());
    assertEquals("abcdefg", new String(storage.readAllBytes(BlobId.of("client", "whole")), StandardCharsets.UTF_8));
  }

  @Test
  public void ifGenerationMatchZeroRefusesAnExistingObject() {
    BlobInfo info = BlobInfo.newBuilder("client", "once").build();
    Blob first = storage.create(info, new byte[] {1}, Storage.BlobTargetOption.doesNotExist());
    StorageException conflict = assertThrows(StorageException.class,
        () -> storage.create(info, new byte[] {2}, Storage.BlobTargetOption.doesNotExist()));
    assertEquals(412, conflict.getCode());
    assertArrayEquals(new byte[] {1}, storage.readAllBytes(BlobId.of("client", "once")));
    // A generation match on the current generation replaces it; a stale one is refused.
    Blob second = storage.create(BlobInfo.newBuilder(BlobId.of("client", "once", first.getGeneration())).build(),
        new byte[] {3}, Storage.BlobTargetOption.generationMatch());
    assertTrue(second.getGeneration() > first.getGeneration());
    StorageException stale = assertThrows(StorageException.class, () -> storage.create(
        BlobInfo.newBuilder(BlobId.of("client", "once", first.getGeneration())).build(), new byte[] {4},
        Storage.BlobTargetOption.generationMatch()));
    assertEquals(412, stale.getCode());
  }

  @Test
  public void clientRetriesThroughInjectedFaults() {
    server.injectFaults(0.3, 7);
    byte[] data = random(20_000, 4);
    for (int i = 0; i < 20; i++) {
      // The client retries only idempotent calls: an insert is one with a generation precondition.
      storage.create(BlobInfo.newBuilder("client", "flaky/" + i).build(), data,
          Storage.BlobTargetOption.doesNotExist());
    }
    for (int i = 0; i < 20; i++) {
      assertArrayEquals(data, storage.readAllBytes(BlobId.of("client", "flaky/" + i)));
    }
    GcsServer.FaultCounts counts = server.faultCounts();
    assertTrue(counts.toString(), counts.unavailable() > 0 && counts.resets() > 0 && counts.slow() > 0);
  }

  @Test
  public void clientResumesAResumableUploadCutInItsMiddle() throws Exception {
    byte[] data = random(1024 * 1024 + 777, 5);
    server.failResumableUploadOnce(300_000); // inside the second 256 KiB chunk
    try (WriteChannel w = storage.writer(BlobInfo.newBuilder("client", "cut/blob.bin").build(),
        Storage.BlobWriteOption.doesNotExist())) {
      w.setChunkSize(256 * 1024);
      w.write(ByteBuffer.wrap(data));
    }
    assertEquals(server.faultCounts().toString(), 1, server.faultCounts().midUploadFailures());
    assertArrayEquals(data, storage.readAllBytes(BlobId.of("client", "cut/blob.bin")));
  }

  @Test
  public void createFromAFileResumesAfterItsUploadIsCut() throws Exception {
    byte[] data = random(600_000, 6);
    java.io.ByteArrayOutputStream calls = new java.io.ByteArrayOutputStream();
    java.nio.file.Path file = java.nio.file.Files.createTempFile("cut", ".bin");
    try {
      java.nio.file.Files.write(file, data);
      server.failResumableUploadOnce(100_000).logCalls(new java.io.PrintStream(calls, true, StandardCharsets.UTF_8));
      storage.createFrom(BlobInfo.newBuilder("client", "cut/file.bin").build(), file,
          Storage.BlobWriteOption.doesNotExist());
    } finally {
      java.nio.file.Files.delete(file);
    }
    assertEquals(server.faultCounts().toString(), 1, server.faultCounts().midUploadFailures());
    // The client asked the session what it kept (308, empty body) and sent only the rest.
    String log = calls.toString(StandardCharsets.UTF_8);
    assertTrue(log, log.contains("-> 308 (0 bytes read") && log.contains("-> 200 (500000 bytes read"));
    assertArrayEquals(data, storage.readAllBytes(BlobId.of("client", "cut/file.bin")));
  }
}
