package dev.symmim.transforms.failures;

/**
 * The input itself is bad (undecodable, truncated, too large, unsupported). Only this exception
 * turns into a dead letter; every other exception is a bug or an I/O error and fails the bundle so
 * the runner retries it.
 */
public class BadInputException extends Exception {
  private final String kind;

  public BadInputException(String kind, String message) {
    super(message);
    this.kind = kind;
  }

  public BadInputException(String kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  /** A short stable name of what is wrong, e.g. {@code truncated}, {@code too-large}. */
  public String kind() {
    return kind;
  }
}
