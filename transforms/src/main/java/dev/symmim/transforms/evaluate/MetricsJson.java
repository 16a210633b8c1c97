package dev.symmim.transforms.evaluate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one codec of the metric records ({@link EvaluationMetrics}, {@link SetEvaluation} and their
 * parts, fine-tuning results): indented JSON, unknown fields ignored when read, NaN as a string.
 */
public final class MetricsJson {
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private MetricsJson() {}

  public static String write(Object record) {
    try {
      return JSON.writeValueAsString(record);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static <T> T read(String json, Class<T> type) throws IOException {
    return JSON.readValue(json, type);
  }

  public static <T> T read(byte[] json, Class<T> type) throws IOException {
    return JSON.readValue(json, type);
  }
}
