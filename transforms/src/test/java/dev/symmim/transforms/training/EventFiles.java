package dev.symmim.transforms.training;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.beam.sdk.io.BoundedSource;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.TFRecordIO;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.SourceTestUtils;
import org.tensorflow.proto.Summary;

/**
 * Reads TensorBoard event files as an independent reader would: the records with Beam's
 * {@link TFRecordIO} source (which checks both masked CRC32Cs of every record and fails on a
 * mismatch), in file order; each record parsed by TensorFlow's own generated
 * {@code org.tensorflow.proto.Event} (tensorflow-core-native; no native code is loaded), with no
 * field it does not know.
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
    org.tensorflow.proto.Event e = org.tensorflow.proto.Event.parseFrom(record);
    assertTrue("fields event.proto does not know: " + e.getUnknownFields(), e.getUnknownFields().asMap().isEmpty());
    Map<String, Float> scalars = null;
    if (e.hasSummary()) {
      scalars = new LinkedHashMap<>();
      for (Summary.Value v : e.getSummary().getValueList()) {
        assertEquals(v.getTag(), Summary.Value.ValueCase.SIMPLE_VALUE, v.getValueCase());
        scalars.put(v.getTag(), v.getSimpleValue());
      }
    }
    assertTrue(e.getWhatCase().toString(), e.hasFileVersion() || e.hasSummary() || e.hasSessionLog());
    return new Event(e.getWallTime(), e.getStep(), e.hasFileVersion() ? e.getFileVersion() : null,
        e.hasSessionLog() ? (long) e.getSessionLog().getStatusValue() : null, scalars);
  }
}
