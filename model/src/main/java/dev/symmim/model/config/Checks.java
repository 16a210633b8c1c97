package dev.symmim.model.config;

/** The one validation idiom of the config records: a message that names the field and the bad value. */
final class Checks {
  private Checks() {}

  static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
