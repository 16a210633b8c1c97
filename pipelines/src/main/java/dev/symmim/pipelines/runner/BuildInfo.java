package dev.symmim.pipelines.runner;

import java.nio.file.Path;

/** Facts about the running code: its version and where its checkout (and the shipped dataset) is. */
public final class BuildInfo {
  private BuildInfo() {}

  /** Version of the running code, from the jar manifest when packaged. */
  public static String version() {
    String v = BuildInfo.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
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
