package dev.symmim.transforms.training;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@link TensorBoardLog} without a training run: what it writes, and that a reader's CRC check sees a flipped bit. */
public class TensorBoardLogTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private Path write(Path runDir) throws Exception {
    try (RunDirectory dir = RunDirectory.open(runDir.toString(), GcsEndpoint.GOOGLE, "test");
        TensorBoardLog log = TensorBoardLog.open(dir, 1)) {
      Map<String, Object> record = new LinkedHashMap<>();
      record.put("batch", 0L);
      record.put("step", 1L);
      record.put("loss", 2.25);
      record.put("mimLoss", Double.NaN);
      record.put("refused", false);
      record.put("time", "2026-12-06T12:00:00Z");
      log.write(1, record);
    }
    return EventFiles.in(runDir).get(0);
  }

  @Test
  public void writesTheVersionASessionStartAndTheFiniteNumbersOfARecordByTag() throws Exception {
    List<EventFiles.Event> events = EventFiles.read(write(tmp.newFolder().toPath()));
    assertEquals(3, events.size());
    assertEquals("brain.Event:2", events.get(0).fileVersion());
    assertEquals(Long.valueOf(1), events.get(1).sessionStatus());
    assertEquals(Map.of("loss/total", 2.25f), events.get(2).scalars());
    assertEquals(1, events.get(2).step());
  }

  @Test
  public void aReaderRefusesARecordWithAFlippedBit() throws Exception {
    Path file = write(tmp.newFolder().toPath());
    byte[] b = Files.readAllBytes(file);
    b[b.length - 6] ^= 1; // inside the last record's data
    Files.write(file, b);
    Exception e = assertThrows(Exception.class, () -> EventFiles.read(file));
    assertTrue(String.valueOf(e), String.valueOf(e).toLowerCase().contains("mismatch"));
  }
}
