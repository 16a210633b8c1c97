package dev.symmim.transforms.images;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;

/**
 * A resolved {@code --input}: the file pattern to match, the root that ids and folder labels are
 * relative to, and the format. Resolution checks that something matches, so a wrong path fails
 * before any pipeline work, with a message naming the flag.
 *
 * @param format the concrete format (never {@code auto})
 * @param filepattern a Beam file pattern ({@code **} recurses)
 * @param root the directory ids are relative to, ending in {@code /}
 * @param matchedFiles how many files matched at resolution time
 * @param totalBytes their total size
 */
public record ImageSource(
    ImageFormat format, String filepattern, String root, int matchedFiles, long totalBytes)
    implements Serializable {
  private static final Pattern GLOB = Pattern.compile("[*?\\[{]");
  private static final Pattern IDX_IMAGES = Pattern.compile(".*idx3-ubyte(\\.gz)?$");
  private static final Pattern CIFAR_BATCH =
      Pattern.compile("^(data_batch_\\d+|test_batch|train|test)\\.bin$");

  /** Resolves {@code input} (a directory, a glob or a file; local or any Beam filesystem). */
  public static ImageSource resolve(String input, ImageFormat requested) throws IOException {
    if (input == null || input.isBlank()) {
      throw new IllegalArgumentException("--input is required: a directory, a glob or a file");
    }
    requireLocalParent(input);
    String pattern;
    String root;
    List<MatchResult.Metadata> files;
    if (GLOB.matcher(input).find()) {
      pattern = input;
      String prefix = input.substring(0, firstGlob(input));
      root = prefix.substring(0, prefix.lastIndexOf('/') + 1);
      files = match(pattern);
    } else {
      String trimmed = input.endsWith("/") ? input.substring(0, input.length() - 1) : input;
      List<MatchResult.Metadata> exact = input.endsWith("/") ? List.of() : match(trimmed);
      if (exact.size() == 1 && !isLocalDirectory(trimmed)) {
        pattern = trimmed;
        root = trimmed.substring(0, trimmed.lastIndexOf('/') + 1);
        files = exact;
      } else {
        pattern = trimmed + "/**";
        root = trimmed + "/";
        files = match(pattern);
      }
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException(
          "--input=" + input + ": no files match (looked for " + pattern + ")");
    }
    List<String> names = new ArrayList<>();
    long bytes = 0;
    for (MatchResult.Metadata m : files) {
      names.add(m.resourceId().toString());
      bytes += m.sizeBytes();
    }
    ImageFormat format = requested == ImageFormat.auto ? detect(names) : requested;
    return new ImageSource(format, pattern, root, files.size(), bytes);
  }

  /** The format the file names suggest. */
  static ImageFormat detect(List<String> files) {
    boolean cifar = false;
    for (String f : files) {
      String name = f.substring(f.lastIndexOf('/') + 1);
      if (IDX_IMAGES.matcher(name).matches()) {
        return ImageFormat.idx;
      }
      cifar |= CIFAR_BATCH.matcher(name).matches();
    }
    return cifar ? ImageFormat.cifar : ImageFormat.folder;
  }

  /** The path of {@code uri} relative to the root, or the file name when it lies elsewhere. */
  public String relativeId(String uri) {
    if (uri.startsWith(root)) {
      return uri.substring(root.length());
    }
    String localRoot = root.startsWith("/") ? root : null;
    if (localRoot != null && uri.startsWith("file:" + localRoot)) {
      return uri.substring(("file:" + localRoot).length());
    }
    return uri.substring(uri.lastIndexOf('/') + 1);
  }

  /**
   * A local path whose fixed (non-glob) part does not exist is refused here: Beam's local
   * filesystem would otherwise search for the pattern from the nearest existing parent, which
   * can be the root of the whole disk.
   */
  private static void requireLocalParent(String input) {
    if (input.contains("://")) {
      return;
    }
    String local = input.startsWith("file:") ? input.substring("file:".length()) : input;
    String fixed = local.substring(0, firstGlob(local));
    java.nio.file.Path path = java.nio.file.Path.of(fixed.isEmpty() ? "." : fixed);
    java.nio.file.Path existing = GLOB.matcher(local).find() ? path.getParent() : path;
    if (existing != null && !java.nio.file.Files.exists(existing)) {
      throw new IllegalArgumentException("--input=" + input + ": no such file or directory (" + existing + ")");
    }
  }

  private static boolean isLocalDirectory(String path) {
    if (path.contains("://")) {
      return false; // object stores have no directories; a prefix never matches as one object
    }
    String local = path.startsWith("file:") ? path.substring("file:".length()) : path;
    return java.nio.file.Files.isDirectory(java.nio.file.Path.of(local));
  }

  private static int firstGlob(String s) {
    var m = GLOB.matcher(s);
    return m.find() ? m.start() : s.length();
  }

  private static List<MatchResult.Metadata> match(String spec) throws IOException {
    MatchResult result =
        FileSystems.match(List.of(spec), EmptyMatchTreatment.ALLOW).get(0);
    List<MatchResult.Metadata> out = new ArrayList<>();
    if (result.status() == MatchResult.Status.OK) {
      out.addAll(result.metadata());
    } else if (result.status() != MatchResult.Status.NOT_FOUND) {
      String why = "status " + result.status();
      try {
        result.metadata(); // throws the filesystem's reason
      } catch (IOException e) {
        why = e.getMessage();
      }
      throw new IllegalArgumentException("--input: cannot list " + spec + ": " + why
          + " (does the bucket or directory exist, and is it readable?)");
    }
    return out;
  }
}
