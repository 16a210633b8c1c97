package dev.symmim.transforms.training;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.storage.Blob;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One writer per directory: a {@code .symmim.lock} file (local) or object (gs://, created with
 * {@code ifGenerationMatch=0}) naming the holder (host, pid, start time, command), refreshed every
 * {@value #HEARTBEAT_SECONDS} s while held. A second writer is refused naming the holder. A lock left
 * by a killed process is taken over: on the same host when its pid is gone, anywhere when it has not
 * been refreshed for {@link #STALE}.
 */
public final class DirectoryLock implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DirectoryLock.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  public static final String NAME = ".symmim.lock";
  static final long HEARTBEAT_SECONDS = 30;
  static final Duration STALE = Duration.ofMinutes(5);

  /** Who holds a lock. */
  public record Holder(String host, long pid, String started, String command) {
    String describe() {
      return "host " + host + ", pid " + pid + ", since " + started + " (" + command + ")";
    }
  }

  private final Path local;
  private final GcsObjects gcs;
  private final String object;
  private final byte[] content;
  private final ScheduledExecutorService heartbeat;
  private boolean ownsClient;

  private DirectoryLock(Path local, GcsObjects gcs, String object, byte[] content) {
    this.local = local;
    this.gcs = gcs;
    this.object = object;
    this.content = content;
    this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "directory-lock-heartbeat");
      t.setDaemon(true);
      return t;
    });
    heartbeat.scheduleAtFixedRate(this::refresh, HEARTBEAT_SECONDS, HEARTBEAT_SECONDS, TimeUnit.SECONDS);
  }

  static Holder me(String command) {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "unknown-host";
    }
    return new Holder(host, ProcessHandle.current().pid(), Instant.now().toString(), command);
  }

  /** Locks {@code location} (a local directory or gs://bucket/path; GCS through {@code endpoint}) for {@code command}. */
  public static DirectoryLock acquire(String location, GcsEndpoint endpoint, String command) throws IOException {
    if (location.startsWith("gs://")) {
      GcsLocation at = GcsLocation.parse(location);
      DirectoryLock lock = acquire(new GcsObjects(endpoint.connect(), at.bucket()), at.object(), command);
      lock.ownsClient = true;
      return lock;
    }
    if (location.contains("://")) {
      throw new IllegalArgumentException(location + ": want a local directory or gs://bucket/path");
    }
    return acquire(Path.of(location), command);
  }

  /** Locks the local directory {@code dir} (created if needed) for {@code command}. */
  public static DirectoryLock acquire(Path dir, String command) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve(NAME);
    Holder me = me(command);
    byte[] content = JSON.writeValueAsBytes(me);
    for (int attempt = 0; attempt < 2; attempt++) {
      try {
        Files.write(Files.createFile(file), content);
        return new DirectoryLock(file, null, null, content);
      } catch (FileAlreadyExistsException e) {
        Holder other = read(Files.readAllBytes(file));
        Instant refreshed = Files.getLastModifiedTime(file).toInstant();
        if (!stale(other, refreshed, me)) {
          throw refused(dir.toString(), other);
        }
        LOG.warn("taking over the lock of {} left by {}", dir, other.describe());
        Files.deleteIfExists(file);
      }
    }
    throw refused(dir.toString(), read(Files.readAllBytes(file)));
  }

  /** Locks the directory at gs://bucket/{@code prefix} for {@code command}. */
  static DirectoryLock acquire(GcsObjects gcs, String prefix, String command) throws IOException {
    String object = prefix.isEmpty() ? NAME : prefix.replaceAll("/+$", "") + "/" + NAME;
    Holder me = me(command);
    byte[] content = JSON.writeValueAsBytes(me);
    for (int attempt = 0; attempt < 2; attempt++) {
      if (gcs.tryCreate(object, content)) {
        return new DirectoryLock(null, gcs, object, content);
      }
      Blob b = gcs.get(object);
      if (b == null) {
        continue; // released meanwhile
      }
      Holder other = read(gcs.read(object, b.getGeneration()));
      Instant refreshed = b.getUpdateTimeOffsetDateTime() == null ? Instant.EPOCH
          : b.getUpdateTimeOffsetDateTime().toInstant();
      if (!stale(other, refreshed, me)) {
        throw refused(gcs.uri(prefix), other);
      }
      LOG.warn("taking over the lock of {} left by {}", gcs.uri(prefix), other.describe());
      gcs.delete(object, b.getGeneration());
    }
    throw refused(gcs.uri(prefix), read(gcs.read(object, gcs.get(object).getGeneration())));
  }

  /** A lock whose holder is gone: same host and no such process, or not refreshed for {@link #STALE}. */
  static boolean stale(Holder other, Instant refreshed, Holder me) {
    if (other.host().equals(me.host())) {
      return other.pid() == me.pid() || ProcessHandle.of(other.pid()).map(p -> !p.isAlive()).orElse(true);
    }
    return refreshed.isBefore(Instant.now().minus(STALE));
  }

  private static Holder read(byte[] bytes) {
    try {
      return JSON.readValue(bytes, Holder.class);
    } catch (IOException e) {
      return new Holder("unknown", -1, "unknown", "an unreadable lock file");
    }
  }

  private static IllegalArgumentException refused(String dir, Holder holder) {
    return new IllegalArgumentException(dir + " is being written by another symmim command: " + holder.describe()
        + "; wait for it, or if it is dead and on another host, retry after " + STALE.toMinutes()
        + " minutes (or delete " + NAME + ")");
  }

  private void refresh() {
    try {
      if (local != null) {
        Files.setLastModifiedTime(local, FileTime.from(Instant.now()));
      } else {
        Blob b = gcs.get(object);
        if (b != null) {
          gcs.replace(object, content, b.getGeneration());
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not refresh the directory lock: {}", e.getMessage());
    }
  }

  @Override
  public void close() throws IOException {
    heartbeat.shutdownNow();
    if (local != null) {
      Files.deleteIfExists(local);
    } else {
      try {
        Blob b = gcs.get(object);
        if (b != null) {
          gcs.delete(object, b.getGeneration());
        }
      } finally {
        if (ownsClient) {
          try {
            gcs.storage().close();
          } catch (Exception e) {
            LOG.warn("closing the GCS client: {}", e.getMessage());
          }
        }
      }
    }
  }
}
