package dev.symmim.pipelines.report;

import dev.symmim.transforms.evaluate.BenchmarkResult;
import dev.symmim.transforms.evaluate.KnnResult;
import dev.symmim.transforms.evaluate.SetEvaluation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code benchmark.html} of {@code symmim benchmark}: the label-efficiency plot (top-1 vs label
 * fraction, one line per arm, +- sample std over seeds), the mean +- std table, every run, and the
 * frozen evaluation of the pretrained encoder against its baselines.
 */
public final class BenchmarkPage {
  private BenchmarkPage() {}

  static final Map<String, String> ARMS = Map.of(
      "symmim", "SymMIM-pretrained, fine-tuned",
      "scratch", "from scratch (same recipe)",
      "matched", "from scratch, compute-matched (extra epochs: wall time = pretraining + fine-tuning)");

  public static Path write(Path dir, BenchmarkResult r) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Map<String, List<BenchmarkResult.Cell>> byArm = new LinkedHashMap<>();
    for (BenchmarkResult.Cell c : r.summary()) {
      byArm.computeIfAbsent(c.arm(), a -> new ArrayList<>()).add(c);
    }
    List<Plots.ErrorSeries> series = new ArrayList<>();
    byArm.forEach((arm, cells) -> series.add(new Plots.ErrorSeries(arm,
        cells.stream().mapToDouble(BenchmarkResult.Cell::fraction).toArray(),
        cells.stream().mapToDouble(c -> 100 * c.meanTop1()).toArray(),
        cells.stream().mapToDouble(c -> 100 * c.stdTop1()).toArray())));
    boolean plotted = !series.isEmpty();
    if (plotted) {
      Plots.logXWithErrors(dir.resolve("label-efficiency.png"), "fine-tuned top-1 on the val split vs labelled fraction "
          + "(mean +- sample std over seeds)", "labelled fraction of the train split", "top-1 %", series);
    }
    StringBuilder h = new StringBuilder("<!doctype html><html><head><meta charset='utf-8'><title>symmim benchmark"
        + "</title><style>body{font-family:sans-serif;margin:24px;max-width:1100px}table{border-collapse:collapse}"
        + "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f4f4f4}"
        + "td:first-child{text-align:left}.proto{color:#555;font-size:13px}</style></head><body>\n");
    h.append("<h1>Label efficiency: does SymMIM pretraining pay off?</h1>\n<p>Dataset <b>").append(Html.esc(r.dataset()))
        .append("</b>. Pretraining <code>").append(Html.esc(r.pretrain().runDir())).append("</code>: ")
        .append(r.pretrain().steps()).append(" steps, ").append(String.format("%.0f", r.pretrain().wallSeconds()))
        .append(" s wall.</p>\n<p class='proto'>").append(Html.esc(r.protocol())).append("</p>\n");
    if (plotted) {
      h.append("<img src='label-efficiency.png' alt='top-1 versus labelled fraction, one line per arm'>\n");
    }
    h.append("<h2>Fine-tuning top-1 (mean &plusmn; sample std over seeds)</h2>\n<table><tr><th>labelled</th>");
    List<String> arms = new ArrayList<>(byArm.keySet());
    for (String arm : arms) {
      h.append("<th>").append(Html.esc(ARMS.getOrDefault(arm, arm))).append("</th>");
    }
    h.append("</tr>\n");
    List<Double> fractions = r.summary().stream().map(BenchmarkResult.Cell::fraction).distinct().sorted().toList();
    for (double f : fractions) {
      h.append("<tr><td>").append(pct(f)).append("</td>");
      for (String arm : arms) {
        BenchmarkResult.Cell c = r.summary().stream().filter(x -> x.fraction() == f && x.arm().equals(arm)).findFirst()
            .orElse(null);
        h.append("<td>").append(c == null ? "-" : String.format("%.2f &plusmn; %.2f (n=%d, %.0f s)", 100 * c.meanTop1(),
            100 * c.stdTop1(), c.n(), c.meanWallSeconds())).append("</td>");
      }
      h.append("</tr>\n");
    }
    h.append("</table>\n<h2>Runs</h2>\n<table><tr><th>labelled</th><th>arm</th><th>seed</th><th>epochs</th>"
        + "<th>labelled images</th><th>top-1</th><th>top-5</th><th>wall s</th></tr>\n");
    for (BenchmarkResult.Run run : r.runs()) {
      h.append(String.format("<tr><td>%s</td><td>%s</td><td>%d</td><td>%d</td><td>%d</td><td>%.2f</td><td>%.2f</td>"
          + "<td>%.0f</td></tr>%n", pct(run.fraction()), Html.esc(run.arm()), run.seed(), run.epochs(), run.labelled(),
          100 * run.top1(), 100 * run.top5(), run.wallSeconds()));
    }
    h.append("</table>\n");
    if (r.frozen() != null) {
      h.append("<h2>Frozen encoder: k-NN and linear probe</h2>\n<table><tr><th>features</th><th>k-NN top-1</th>"
          + "<th>k=200 top-1</th><th>linear probe top-1</th></tr>\n");
      for (SetEvaluation s : r.frozen().sets().values()) {
        KnnResult.AtK at200 = s.knn().at(200);
        h.append(String.format("<tr><td>%s</td><td>%.2f</td><td>%s</td><td>%s</td></tr>%n",
            Html.esc(EvaluationReport.label(s.name())), 100 * s.knn().primary().top1(),
            at200 == null ? "-" : String.format("%.2f", 100 * at200.top1()),
            s.linearProbe() == null ? "-" : String.format("%.2f", 100 * s.linearProbe().top1())));
      }
      SetEvaluation any = r.frozen().sets().values().iterator().next();
      h.append("</table>\n<p class='proto'>k-NN: ").append(Html.esc(any.knn().protocol())).append("; bank ")
          .append(any.knn().bank()).append(", queries ").append(any.knn().queries()).append(".</p>\n");
    }
    h.append("<script>window.addEventListener('load',function(){var im=document.images,ok=0;")
        .append("for(var i=0;i<im.length;i++){if(im[i].complete&&im[i].naturalWidth>0)ok++;}")
        .append("document.body.setAttribute('data-images',ok+'/'+im.length);});</script>\n</body></html>\n");
    Path page = dir.resolve("benchmark.html");
    Files.writeString(page, h.toString(), StandardCharsets.UTF_8);
    return page;
  }

  public static String pct(double f) {
    return new java.math.BigDecimal(100 * f).setScale(2, java.math.RoundingMode.HALF_UP).stripTrailingZeros()
        .toPlainString() + "%";
  }
}
