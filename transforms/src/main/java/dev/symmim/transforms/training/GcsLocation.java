package dev.symmim.transforms.training;

/** A {@code gs://bucket/object} URI split into bucket and object name (no trailing slash). */
record GcsLocation(String bucket, String object) {
  static GcsLocation parse(String uri) {
    if (!uri.startsWith("gs://")) {
      throw new IllegalArgumentException(uri + " is not a gs:// URI");
    }
    String rest = uri.substring("gs://".length());
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String object = slash < 0 ? "" : rest.substring(slash + 1);
    while (object.endsWith("/")) {
      object = object.substring(0, object.length() - 1);
    }
    if (bucket.isEmpty()) {
      throw new IllegalArgumentException(uri + " names no bucket");
    }
    return new GcsLocation(bucket, object);
  }

  /** {@code name} inside this location. */
  String child(String name) {
    return object.isEmpty() ? name : object + "/" + name;
  }
}
