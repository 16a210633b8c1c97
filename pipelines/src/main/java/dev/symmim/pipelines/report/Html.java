package dev.symmim.pipelines.report;

/** HTML text escaping for the report pages: safe in element content and in single- or double-quoted attributes. */
public final class Html {
  private Html() {}

  public static String esc(String s) {
    if (s == null) {
      return "";
    }
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
        .replace("'", "&#39;");
  }
}
