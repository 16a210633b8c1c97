package dev.symmim.pipelines.runner;

import java.io.IOException;

/** The git commit of the running checkout ({@code -dirty} with uncommitted changes), for run records. */
public final class GitCommit {
  private GitCommit() {}

  /** The commit of the checkout at {@code symmim.home}; "unknown" outside a git checkout. */
  public static String current() {
    String home = System.getProperty("symmim.home", ".");
    try {
      Process p = new ProcessBuilder("git", "-C", home, "rev-parse", "HEAD").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      if (p.waitFor() != 0) {
        return "unknown";
      }
      Process d = new ProcessBuilder("git", "-C", home, "status", "--porcelain", "--untracked-files=no")
          .redirectErrorStream(true).start();
      boolean dirty = !new String(d.getInputStream().readAllBytes()).isBlank();
      d.waitFor();
      return dirty ? out + "-dirty" : out;
    } catch (IOException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }
}
