package dev.symmim.pipelines.options;

/** Flag checks whose messages name the flag, its value and the rule. */
public final class Flags {
  private Flags() {}

  /** Refuses a blank value of a flag that this command needs in this case. */
  public static void require(String value, String flag, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("--" + flag + " is required: " + what);
    }
  }

  public static void check(boolean ok, String flag, Object value, String rule) {
    if (!ok) {
      throw new IllegalArgumentException("--" + flag + "=" + value + ": " + rule);
    }
  }
}
