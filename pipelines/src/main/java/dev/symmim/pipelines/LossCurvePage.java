package dev.symmim.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.symmim.transforms.dataset.Locations;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A static HTML page with the loss curves (total, MIM, contrastive) of a pretraining run's metrics.jsonl. */
final class LossCurvePage {
  private static final int W = 720;
  private static final int H = 320;

  private LossCurvePage() {}

  /** {step, loss, mim, con} of every accepted step logged in a run's metrics.jsonl (a path or URI). */
  static List<double[]> read(String metricsJsonl) throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<double[]> points = new ArrayList<>();
    for (String line : new String(Locations.read(metricsJsonl), StandardCharsets.UTF_8).split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode r = json.readTree(line);
      if (!r.path("refused").asBoolean(false) && r.path("loss").isNumber()) {
        points.add(new double[] {r.get("step").asDouble(), r.get("loss").asDouble(), r.path("mimLoss").asDouble(),
            r.path("conLoss").asDouble()});
      }
    }
    return points;
  }

  /** Writes the page of the run at {@code runDir} (a path or URI) to the local file {@code page}. */
  static Path write(String runDir, Path page) throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<double[]> points = read(Locations.child(runDir, "metrics.jsonl"));
    JsonNode run = json.readTree(Locations.read(Locations.child(runDir, "run.json")));
    double maxStep = points.stream().mapToDouble(p -> p[0]).max().orElse(1);
    double maxLoss = points.stream().mapToDouble(p -> p[1]).max().orElse(1);
    StringBuilder svg = new StringBuilder("<svg width='" + W + "' height='" + H + "' style='border:1px solid #ccc'>");
    String[] colors = {"#000", "#1f77b4", "#d62728"};
    for (int series = 1; series <= 3; series++) {
      StringBuilder pts = new StringBuilder();
      for (double[] p : points) {
        pts.append(String.format("%.1f,%.1f ", 40 + (W - 50) * p[0] / Math.max(1, maxStep),
            H - 30 - (H - 40) * p[series] / maxLoss));
      }
      svg.append("<polyline fill='none' stroke='").append(colors[series - 1]).append("' stroke-width='1.2' points='")
          .append(pts).append("'/>");
    }
    svg.append(String.format("<text x='40' y='%d' font-size='12'>step 0 .. %.0f</text>", H - 10, maxStep));
    svg.append(String.format("<text x='2' y='14' font-size='12'>%.2f</text>", maxLoss));
    svg.append("</svg>");
    String html = "<!doctype html><html><head><meta charset='utf-8'><title>symmim pretraining</title></head><body"
        + " style='font-family:sans-serif'><h1>Pretraining loss</h1><p>"
        + DatasetReportPage.esc(run.path("info").path("flags").asText()) + "</p><p>"
        + "<span style='color:#000'>total</span>, <span style='color:#1f77b4'>MIM (L1, masked patches)</span>, "
        + "<span style='color:#d62728'>contrastive (InfoNCE)</span>; " + points.size() + " logged steps; first loss "
        + (points.isEmpty() ? "-" : String.format("%.4f", points.get(0)[1])) + ", last "
        + (points.isEmpty() ? "-" : String.format("%.4f", points.get(points.size() - 1)[1])) + "</p>" + svg
        + "</body></html>\n";
    Files.writeString(page, html, StandardCharsets.UTF_8);
    return page;
  }
}
