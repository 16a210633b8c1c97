package dev.symmim.transforms.training;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code <run>/metrics.jsonl}: one JSON record per logged step. On resume, records of batches at
 * or after the resume position (written by the interrupted attempt) are dropped first, so the
 * file always describes one uninterrupted history.
 */
public final class MetricsLog implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final BufferedWriter out;

  public MetricsLog(Path file, long resumeBatch) throws IOException {
    if (Files.exists(file)) {
      List<String> kept = new ArrayList<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.isBlank()) {
          continue;
        }
        try {
          if (JSON.readTree(line).path("batch").asLong(Long.MAX_VALUE) < resumeBatch) {
            kept.add(line);
          }
        } catch (IOException torn) {
          // a line cut by a kill: dropped
        }
      }
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.write(tmp, kept, StandardCharsets.UTF_8);
      Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  public void write(Map<String, Object> record) throws IOException {
    out.write(JSON.writeValueAsString(record));
    out.write('\n');
    out.flush();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
