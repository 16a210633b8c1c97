package dev.symmim.transforms.training;

import dev.symmim.transforms.io.Locations;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.Storage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A pretraining run's directory: a local path, or a {@code gs://} URI. The loop always works in a
 * local directory ({@link #local()}); for a gs:// run that is a temporary directory, checkpoints
 * are committed to GCS by a {@link GcsCheckpointStore}, and the run's files (run.json,
 * metrics.jsonl) are {@link #publish published} to the run URI (replaced with a generation
 * precondition) and {@link #fetch fetched} from it on resume. For a local run both are no-ops.
 */
public final class RunDirectory implements AutoCloseable {
  private final String location;
  private final Path local;
  private final GcsObjects gcs;
  private final GcsLocation at;
  private DirectoryLock lock;

  private RunDirectory(String location, Path local, GcsObjects gcs, GcsLocation at) {
    this.location = location;
    this.local = local;
    this.gcs = gcs;
    this.at = at;
  }

  /**
   * Opens {@code runDir} (a local path or gs:// URI; the client reaches GCS through {@code endpoint})
   * for {@code owner} (e.g. "symmim pretrain"), the one writer it admits ({@link DirectoryLock}).
   */
  public static RunDirectory open(String runDir, GcsEndpoint endpoint, String owner) throws IOException {
    RunDirectory dir;
    if (runDir.startsWith("gs://")) {
      GcsLocation at = GcsLocation.parse(runDir);
      Storage storage = endpoint.connect();
      dir = new RunDirectory("gs://" + at.bucket() + "/" + at.object(), Files.createTempDirectory("symmim-run-"),
          new GcsObjects(storage, at.bucket()), at);
      dir.lock = DirectoryLock.acquire(dir.gcs, at.object(), owner);
      return dir;
    }
    if (runDir.contains("://")) {
      throw new IllegalArgumentException("run directory " + runDir + ": want a local directory or gs://bucket/path");
    }
    Path p = Path.of(runDir);
    Files.createDirectories(p);
    dir = new RunDirectory(runDir, p, null, null);
    dir.lock = DirectoryLock.acquire(p, owner);
    return dir;
  }

  /** The directory the loop writes in. */
  public Path local() {
    return local;
  }

  /** The run directory as given (path or gs:// URI). */
  public String location() {
    return location;
  }

  /** The checkpoint store of this run, keeping {@code keep} committed checkpoints. */
  public CheckpointStore checkpoints(int keep) throws IOException {
    if (gcs == null) {
      return new LocalCheckpointStore(local.resolve("checkpoints"), keep);
    }
    return new GcsCheckpointStore(gcs.storage(), location + "/checkpoints", local.resolve("checkpoints"), keep);
  }

  /** Copies the run's {@code file} from GCS into {@link #local()} (or removes the local one if GCS has none). */
  public void fetch(String file) throws IOException {
    if (gcs == null) {
      return;
    }
    Path target = local.resolve(file);
    Blob b = gcs.get(at.child(file));
    if (b == null) {
      Files.deleteIfExists(target);
      return;
    }
    gcs.download(b.getName(), b.getGeneration(), b.getCrc32c(), b.getSize(), target);
  }

  /** Uploads {@link #local()}'s {@code file} to the run on GCS, replacing what is there. */
  public void publish(String file) throws IOException {
    if (gcs != null) {
      gcs.replace(at.child(file), local.resolve(file));
    }
  }

  @Override
  public void close() throws IOException {
    if (lock != null) {
      lock.close();
    }
    if (gcs == null) {
      return;
    }
    try {
      gcs.storage().close();
    } catch (Exception e) {
      throw new IOException("closing the GCS client: " + e.getMessage(), e);
    } finally {
      Locations.deleteTree(local);
    }
  }
}
