package dev.symmim.pipelines.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.symmim.transforms.io.Locations;
import dev.symmim.transforms.training.TrainingLoop;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A pretraining run's loss curves (total, MIM, contrastive) from its {@code metrics.jsonl}: one
 * reader and one drawing (a PNG by {@link Plots#lines}), used by the evaluation report and by the
 * run's own page.
 */
public final class LossCurve {
  private static final ObjectMapper JSON = new ObjectMapper();

  private LossCurve() {}

  /** {step, loss, mim, con} of every accepted step logged in a run's metrics.jsonl (a path or URI). */
  static List<double[]> read(String metricsJsonl) throws IOException {
    List<double[]> points = new ArrayList<>();
    for (String line : new String(Locations.read(metricsJsonl), StandardCharsets.UTF_8).split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode r = JSON.readTree(line);
      if (!r.path("refused").asBoolean(false) && r.path("loss").isNumber()) {
        points.add(new double[] {r.get("step").asDouble(), r.get("loss").asDouble(), r.path("mimLoss").asDouble(),
            r.path("conLoss").asDouble()});
      }
    }
    return points;
  }

  /** Draws the curves of {@code metricsJsonl} (a path or URI) into {@code png}; returns the number of points. */
  static int draw(String metricsJsonl, Path png) throws IOException {
    List<double[]> rows = read(metricsJsonl);
    String[] names = {"total", "MIM (L1, masked patches)", "contrastive (InfoNCE)"};
    List<Plots.Series> series = new ArrayList<>();
    for (int c = 0; c < names.length; c++) {
      double[] x = new double[rows.size()];
      double[] y = new double[rows.size()];
      for (int i = 0; i < rows.size(); i++) {
        x[i] = rows.get(i)[0];
        y[i] = rows.get(i)[c + 1];
      }
      series.add(new Plots.Series(names[c], x, y));
    }
    Plots.lines(png, "pretraining loss per logged step", "step", series);
    return rows.size();
  }

  /**
   * The page of the run at {@code runDir} (a path or URI): its flags and the loss curves, written to
   * the local {@code page} with the PNG beside it. Returns the page.
   */
  public static Path page(String runDir, Path page) throws IOException {
    Path png = page.resolveSibling("loss.png");
    int points = draw(Locations.child(runDir, TrainingLoop.METRICS_FILE), png);
    JsonNode run = JSON.readTree(Locations.read(Locations.child(runDir, TrainingLoop.RUN_FILE)));
    String html = "<!doctype html><html><head><meta charset='utf-8'><title>symmim pretraining</title></head><body"
        + " style='font-family:sans-serif'><h1>Pretraining loss</h1><p>Run <code>" + Html.esc(runDir) + "</code>, "
        + points + " logged steps.</p><img src='" + png.getFileName() + "' alt='loss curves'><h2>Flags</h2><pre>"
        + Html.esc(run.path("info").path("flags").toPrettyString()) + "</pre></body></html>\n";
    Files.writeString(page, html, StandardCharsets.UTF_8);
    return page;
  }
}
