package dev.symmim.transforms.training;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.symmim.testing.gcs.GcsServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** One writer per directory, local and on gs://; a dead holder's lock is taken over. */
public class DirectoryLockTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void aLiveProcessOnThisHostHoldsTheDirectoryUntilItEnds() throws Exception {
    Path dir = tmp.newFolder("run").toPath();
    Process other = new ProcessBuilder("sleep", "600").start(); // a live writer: another process of this host
    try {
      DirectoryLock.Holder me = DirectoryLock.me("x");
      Files.write(dir.resolve(DirectoryLock.NAME), new ObjectMapper().writeValueAsBytes(
          new DirectoryLock.Holder(me.host(), other.pid(), "2026-12-06T10:00:00Z", "symmim finetune")));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> DirectoryLock.acquire(dir, "symmim finetune"));
      assertTrue(e.getMessage(), e.getMessage().contains("is being written by another symmim command: host "
          + me.host() + ", pid " + other.pid() + ", since 2026-12-06T10:00:00Z (symmim finetune)"));
    } finally {
      other.destroyForcibly();
      other.waitFor();
    }
    try (DirectoryLock mine = DirectoryLock.acquire(dir, "symmim finetune")) { // its holder is gone now
      assertTrue(Files.exists(dir.resolve(DirectoryLock.NAME)));
    }
  }

  @Test
  public void aLiveHolderOnAnotherHostIsRefusedAndAStaleOneTakenOver() throws Exception {
    Path dir = tmp.newFolder("run2").toPath();
    Path file = dir.resolve(DirectoryLock.NAME);
    Files.write(file, new ObjectMapper().writeValueAsBytes(
        new DirectoryLock.Holder("other-host", 4242, "2026-12-06T10:00:00Z", "symmim pretrain")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DirectoryLock.acquire(dir, "symmim pretrain"));
    assertTrue(e.getMessage(), e.getMessage().contains("being written by another symmim command: host other-host, "
        + "pid 4242"));
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(DirectoryLock.STALE).minusSeconds(60)));
    try (DirectoryLock taken = DirectoryLock.acquire(dir, "symmim pretrain")) {
      assertTrue(new String(Files.readAllBytes(file)).contains("\"pid\":" + ProcessHandle.current().pid()));
    }
    assertFalse("released on close", Files.exists(file));
  }

  @Test
  public void aDeadProcessOnThisHostLeavesALockThatIsTakenOverAtOnce() throws Exception {
    Path dir = tmp.newFolder("run3").toPath();
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    DirectoryLock.Holder me = DirectoryLock.me("x");
    Files.write(dir.resolve(DirectoryLock.NAME), new ObjectMapper().writeValueAsBytes(
        new DirectoryLock.Holder(me.host(), gone.pid(), "2026-12-06T10:00:00Z", "symmim pretrain")));
    try (DirectoryLock taken = DirectoryLock.acquire(dir, "symmim pretrain")) {
      assertTrue(Files.exists(dir.resolve(DirectoryLock.NAME)));
    }
  }

  @Test
  public void onGcsTheLockIsAnObjectCreatedOnlyIfAbsent() throws Exception {
    try (GcsServer server = GcsServer.start(0)) {
      GcsEndpoint endpoint = new GcsEndpoint(server.host());
      try (var storage = endpoint.connect()) {
        storage.create(com.google.cloud.storage.BucketInfo.of("runs"));
        GcsObjects gcs = new GcsObjects(storage, "runs");
        gcs.createIfAbsent("r/" + DirectoryLock.NAME, new ObjectMapper().writeValueAsBytes(
            new DirectoryLock.Holder("other-host", 7, Instant.now().toString(), "symmim finetune")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> DirectoryLock.acquire(gcs, "r", "symmim pretrain"));
        assertTrue(e.getMessage(), e.getMessage().contains("gs://runs/r is being written by another symmim command: "
            + "host other-host, pid 7"));
        try (DirectoryLock mine = DirectoryLock.acquire(gcs, "s", "symmim pretrain")) {
          assertTrue(gcs.get("s/" + DirectoryLock.NAME) != null);
        }
        assertTrue("released on close", gcs.get("s/" + DirectoryLock.NAME) == null);
      }
    }
  }
}
