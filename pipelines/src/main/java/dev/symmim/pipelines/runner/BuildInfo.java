package dev.symmim.pipelines.runner;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Properties;

/** Facts about the running code: its version and where its checkout (and the shipped dataset) is. */
public final class BuildInfo {
  /** Written at build time by pipelines/pom.xml (exec-maven-plugin, phase generate-resources). */
  static final String PROPERTIES = "build.properties";

  private BuildInfo() {}

  /**
   * Version of the running code: {@code git describe --always --dirty} of the checkout it was built
   * from (e.g. {@code eca1002-dirty}), the Maven version when built outside a git checkout, "dev" when
   * the classes were compiled without Maven.
   */
  public static String version() {
    return Version.VALUE;
  }

  private static final class Version {
    static final String VALUE = read();

    private static String read() {
      try (InputStream in = BuildInfo.class.getResourceAsStream(PROPERTIES)) {
        if (in != null) {
          Properties p = new Properties();
          p.load(in);
          String v = p.getProperty("version", "").trim();
          if (!v.isEmpty()) {
            return v;
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + PROPERTIES, e);
      }
      String v = BuildInfo.class.getPackage().getImplementationVersion();
      return v == null ? "dev" : v;
    }
  }

  /** The checkout the launcher runs from ({@code -Dsymmim.home}, else the working directory). */
  public static Path home() {
    return Path.of(System.getProperty("symmim.home", ".")).toAbsolutePath().normalize();
  }

  /** The Fashion-MNIST subset shipped with the checkout (data/fashion-mnist-subset). */
  public static Path shippedDataset() {
    return home().resolve("data").resolve("fashion-mnist-subset");
  }
}
