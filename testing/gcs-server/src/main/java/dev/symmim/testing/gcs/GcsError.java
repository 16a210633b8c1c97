package dev.symmim.testing.gcs;

/** An API error answered as GCS does: the HTTP status and a JSON body with a reason. */
final class GcsError extends RuntimeException {
  final int status;
  final String reason;

  GcsError(int status, String reason, String message) {
    super(message);
    this.status = status;
    this.reason = reason;
  }

  static GcsError notFound(String what) {
    return new GcsError(404, "notFound", "No such object: " + what);
  }

  static GcsError badRequest(String message) {
    return new GcsError(400, "invalid", message);
  }

  static GcsError preconditionFailed(String message) {
    return new GcsError(412, "conditionNotMet", message);
  }
}
