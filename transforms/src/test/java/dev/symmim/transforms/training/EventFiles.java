package dev.symmim.transforms.training;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.beam.sdk.io.BoundedSource;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.TFRecordIO;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.SourceTestUtils;

/**
 * Reads TensorBoard event files as an independent reader would: the records with Beam's
 * {@link TFRecordIO} source (which checks both masked CRC32Cs of every record and fails on a
 * mismatch), in file order; each record decoded by protobuf-java's generic parser and checked
 * against event.proto's field numbers and wire types.
 */
public final class EventFiles {
  /** One decoded {@code Event}: exactly one of fileVersion, sessionStatus and scalars is set. */
  public record Event(double wallTime, long step, String fileVersion, Long sessionStatus, Map<String, Float> scalars) {}

  private EventFiles() {}

  /** The event files of a run directory, in name order (the order TensorBoard reads them in). */
  public static List<Path> in(Path runDir) throws IOException {
    try (Stream<Path> s = Files.list(runDir)) {
      return s.filter(p -> p.getFileName().toString().startsWith(TensorBoardLog.FILE_PREFIX)).sorted().toList();
    }
  }

  /** The events of {@code file}, in order. */
  @SuppressWarnings("unchecked")
  public static List<Event> read(Path file) throws Exception {
    TFRecordIO.Read read = TFRecordIO.read().from(file.toString()).withCompression(Compression.UNCOMPRESSED);
    Method getSource = TFRecordIO.Read.class.getDeclaredMethod("getSource"); // protected; Read applies it
    getSource.setAccessible(true);
    List<byte[]> records =
        SourceTestUtils.readFromSource((BoundedSource<byte[]>) getSource.invoke(read), PipelineOptionsFactory.create());
    List<Event> events = new ArrayList<>();
    for (byte[] r : records) {
      events.add(decode(r));
    }
    return events;
  }

  /** The events of every file of {@code runDir}, files in name order. */
  public static List<Event> readAll(Path runDir) throws Exception {
    List<Event> events = new ArrayList<>();
    for (Path f : in(runDir)) {
      events.addAll(read(f));
    }
    return events;
  }

  /** The scalar events of {@code events}, by step (a later event of a step replaces an earlier one). */
  public static Map<Long, Map<String, Float>> scalarsByStep(List<Event> events) {
    Map<Long, Map<String, Float>> out = new LinkedHashMap<>();
    for (Event e : events) {
      if (e.scalars() != null) {
        out.computeIfAbsent(e.step(), s -> new LinkedHashMap<>()).putAll(e.scalars());
      }
    }
    return out;
  }

  /**
   * Asserts that every record of {@code metricsJsonl} that was not refused has an event at its step
   * holding its loss (as a float), and that there are no other steps.
   */
  public static void assertLossesMatch(Path metricsJsonl, Map<Long, Map<String, Float>> byStep) throws IOException {
    Map<Long, Float> expected = new LinkedHashMap<>();
    for (String line : Files.readAllLines(metricsJsonl)) {
      JsonNode n = new ObjectMapper().readTree(line);
      if (!n.get("refused").asBoolean()) {
        expected.put(n.get("step").asLong(), (float) n.get("loss").asDouble());
      }
    }
    Map<Long, Float> actual = new LinkedHashMap<>();
    byStep.forEach((step, scalars) -> {
      if (scalars.containsKey("loss/total")) {
        actual.put(step, scalars.get("loss/total"));
      }
    });
    assertEquals(expected, actual);
  }

  static Event decode(byte[] record) throws InvalidProtocolBufferException {
    UnknownFieldSet event = UnknownFieldSet.parseFrom(record);
    assertTrue(event.asMap().keySet().toString(), Set.of(1, 2, 3, 5, 7).containsAll(event.asMap().keySet()));
    double wallTime = Double.longBitsToDouble(only(event.getField(1).getFixed64List(), "wall_time"));
    long step = event.hasField(2) ? only(event.getField(2).getVarintList(), "step") : 0;
    String version = event.hasField(3) ? only(event.getField(3).getLengthDelimitedList(), "file_version").toStringUtf8()
        : null;
    Long status = null;
    if (event.hasField(7)) {
      UnknownFieldSet log = UnknownFieldSet.parseFrom(only(event.getField(7).getLengthDelimitedList(), "session_log"));
      status = only(log.getField(1).getVarintList(), "session_log.status");
    }
    Map<String, Float> scalars = null;
    if (event.hasField(5)) {
      scalars = new LinkedHashMap<>();
      UnknownFieldSet summary = UnknownFieldSet.parseFrom(only(event.getField(5).getLengthDelimitedList(), "summary"));
      for (ByteString v : summary.getField(1).getLengthDelimitedList()) {
        UnknownFieldSet value = UnknownFieldSet.parseFrom(v);
        assertEquals(Set.of(1, 2), value.asMap().keySet());
        scalars.put(only(value.getField(1).getLengthDelimitedList(), "tag").toStringUtf8(),
            Float.intBitsToFloat(only(value.getField(2).getFixed32List(), "simple_value")));
      }
    }
    assertEquals("one of file_version, summary, session_log", 1,
        (version != null ? 1 : 0) + (scalars != null ? 1 : 0) + (status != null ? 1 : 0));
    return new Event(wallTime, step, version, status, scalars);
  }

  private static <T> T only(List<T> values, String field) {
    assertEquals(field + " of the wire type event.proto gives it, once", 1, values.size());
    return values.get(0);
  }
}
