package dev.symmim.pipelines;

/** Version of the running code, from the jar manifest when packaged. */
final class BuildInfo {
  private BuildInfo() {}

  static String version() {
    String v = BuildInfo.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
