package dev.symmim.pipelines.report;

import dev.symmim.transforms.io.Locations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where the launcher writes report files (report.html, PNG plots, metrics.json, pages): a local
 * directory, written in place; or a gs:// directory, for which the files are made in a local
 * temporary directory and {@link #upload uploaded} (each object created whole) when complete.
 */
public final class ReportDirectory implements AutoCloseable {
  private final String location;
  private final Path local;

  private ReportDirectory(String location, Path local) {
    this.location = location;
    this.local = local;
  }

  /** {@code output}: a local directory (created) or a URI. */
  public static ReportDirectory of(String output) throws IOException {
    if (Locations.isUri(output)) {
      return new ReportDirectory(output.replaceAll("/+$", ""), Files.createTempDirectory("symmim-report-"));
    }
    Path p = Path.of(output).toAbsolutePath().normalize();
    Files.createDirectories(p);
    return new ReportDirectory(p.toString(), p);
  }

  /** The local directory the files are written in. */
  public Path local() {
    return local;
  }

  /** The output directory (absolute path or URI). */
  public String location() {
    return location;
  }

  /** {@code name} at the output (path or URI). */
  public String resolve(String name) {
    return Locations.child(location, name);
  }

  /** Copies the output's {@code name} (written there by a job) into {@link #local()}. */
  public void download(String name) throws IOException {
    if (Locations.isUri(location)) {
      Files.write(local.resolve(name), Locations.read(resolve(name)));
    }
  }

  /** Uploads every file of {@link #local()} (not sub-directories) to the output; a no-op for a local one. */
  public void upload() throws IOException {
    if (!Locations.isUri(location)) {
      return;
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(local)) {
      files = s.filter(Files::isRegularFile).sorted().toList();
    }
    for (Path f : files) {
      Locations.upload(f, resolve(f.getFileName().toString()));
    }
  }

  @Override
  public void close() throws IOException {
    if (!Locations.isUri(location)) {
      return;
    }
    Locations.deleteTree(local);
  }
}
