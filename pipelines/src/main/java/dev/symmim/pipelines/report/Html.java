package dev.symmim.pipelines.report;

import com.google.common.html.HtmlEscapers;

/**
 * HTML text escaping for the report pages, through Guava's {@link HtmlEscapers} ({@code & < > " '}):
 * safe in element content and in single- or double-quoted attributes.
 */
public final class Html {
  private Html() {}

  public static String esc(String s) {
    return s == null ? "" : HtmlEscapers.htmlEscaper().escape(s);
  }
}
