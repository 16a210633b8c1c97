package dev.symmim.pipelines;

/** Flag checks whose messages name the flag, its value and the rule. */
final class Flags {
  private Flags() {}

  static void require(String value, String flag, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("--" + flag + " is required: " + what);
    }
  }

  static void check(boolean ok, String flag, Object value, String rule) {
    if (!ok) {
      throw new IllegalArgumentException("--" + flag + "=" + value + " " + rule);
    }
  }
}
