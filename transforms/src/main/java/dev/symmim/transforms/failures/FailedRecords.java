package dev.symmim.transforms.failures;

import dev.symmim.schemas.FailedRecord;

/** Builds {@link FailedRecord}s in one way everywhere. */
public final class FailedRecords {
  private FailedRecords() {}

  /** A dead letter for {@code source} refused at {@code stage} because of {@code error}. */
  public static FailedRecord of(String stage, String source, String contentHash, BadInputException error) {
    Throwable reported = error.getCause() != null ? error.getCause() : error;
    return FailedRecord.newBuilder()
        .setStage(stage)
        .setSource(source)
        .setContentHash(contentHash)
        .setErrorClass(reported.getClass().getName())
        .setMessage(error.kind() + ": " + error.getMessage())
        .build();
  }
}
