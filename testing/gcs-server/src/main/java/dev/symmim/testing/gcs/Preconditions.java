package dev.symmim.testing.gcs;

import java.util.function.Function;

/**
 * The generation and metageneration preconditions of a request ({@code ifGenerationMatch=0} means
 * "only if the object does not exist yet"); {@code null} fields are not checked.
 */
record Preconditions(Long generationMatch, Long generationNotMatch, Long metagenerationMatch,
    Long metagenerationNotMatch) {
  static final Preconditions NONE = new Preconditions(null, null, null, null);

  /** Reads {@code ifGenerationMatch} etc., or with {@code source} the {@code ifSource...} forms. */
  static Preconditions from(Function<String, String> param, boolean source) {
    String p = source ? "ifSource" : "if";
    return new Preconditions(number(param, p + "GenerationMatch"), number(param, p + "GenerationNotMatch"),
        number(param, p + "MetagenerationMatch"), number(param, p + "MetagenerationNotMatch"));
  }

  private static Long number(Function<String, String> param, String name) {
    return number(param.apply(name), name);
  }

  /** A number parameter, or null when absent; 400 naming it when it is not a number. */
  static Long number(String v, String name) {
    if (v == null || v.isEmpty()) {
      return null;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw GcsError.badRequest(name + "=" + v + " is not a number");
    }
  }

  /** Throws 412 unless {@code current} (null when absent) satisfies every precondition. */
  void check(StoredObject current, String what) {
    long generation = current == null ? 0 : current.generation();
    if (generationMatch != null && generationMatch != generation) {
      throw GcsError.preconditionFailed(what + ": ifGenerationMatch=" + generationMatch + " but generation is "
          + generation);
    }
    if (generationNotMatch != null && generationNotMatch == generation) {
      throw new GcsError(304, "notModified", what + ": generation is " + generation);
    }
    if ((metagenerationMatch != null || metagenerationNotMatch != null) && current == null) {
      throw GcsError.notFound(what);
    }
    if (metagenerationMatch != null && metagenerationMatch != current.metageneration()) {
      throw GcsError.preconditionFailed(what + ": ifMetagenerationMatch=" + metagenerationMatch
          + " but metageneration is " + current.metageneration());
    }
    if (metagenerationNotMatch != null && metagenerationNotMatch == current.metageneration()) {
      throw GcsError.preconditionFailed(what + ": metageneration is " + current.metageneration());
    }
  }
}
