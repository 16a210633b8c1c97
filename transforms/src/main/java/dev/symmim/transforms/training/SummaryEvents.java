package dev.symmim.transforms.training;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The few TensorBoard {@code Event} messages a training run writes (tensorboard/compat/proto/event.proto
 * and summary.proto), encoded with protobuf-java's {@link CodedOutputStream} by field number:
 * <pre>
 * Event      { double wall_time = 1; int64 step = 2; oneof { string file_version = 3; Summary summary = 5;
 *              SessionLog session_log = 7; } }
 * Summary    { repeated Value value = 1; }   Value { string tag = 1; float simple_value = 2; }
 * SessionLog { SessionStatus status = 1; }   (START = 1)
 * </pre>
 */
public final class SummaryEvents {
  /** The version event.proto files of TensorFlow 2 start with. */
  public static final String FILE_VERSION = "brain.Event:2";
  private static final int SESSION_START = 1;

  private interface Fields {
    void write(CodedOutputStream out) throws IOException;
  }

  private SummaryEvents() {}

  /** The first event of a file: {@code file_version = "brain.Event:2"}. */
  public static byte[] fileVersion(double wallTime) {
    return message(out -> {
      out.writeDouble(1, wallTime);
      out.writeString(3, FILE_VERSION);
    });
  }

  /**
   * A session start at {@code step}: TensorBoard drops the events of steps {@code >= step} it read
   * before it (after the first start of a run), as it does for a TensorFlow job restarted from a checkpoint.
   */
  public static byte[] sessionStart(double wallTime, long step) {
    byte[] sessionLog = message(out -> out.writeEnum(1, SESSION_START));
    return message(out -> {
      out.writeDouble(1, wallTime);
      out.writeInt64(2, step);
      out.writeByteArray(7, sessionLog);
    });
  }

  /** One event holding a scalar ({@code simple_value}, a float) per entry of {@code values}, by tag. */
  public static byte[] scalars(double wallTime, long step, Map<String, Double> values) {
    byte[] summary = message(out -> {
      for (Map.Entry<String, Double> e : values.entrySet()) {
        out.writeByteArray(1, message(value -> {
          value.writeString(1, e.getKey());
          value.writeFloat(2, e.getValue().floatValue());
        }));
      }
    });
    return message(out -> {
      out.writeDouble(1, wallTime);
      out.writeInt64(2, step);
      out.writeByteArray(5, summary);
    });
  }

  private static byte[] message(Fields fields) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      fields.write(out);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("encoding an event in memory", e);
    }
    return bytes.toByteArray();
  }
}
