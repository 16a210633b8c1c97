package dev.symmim.pipelines.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.symmim.model.config.DeviceKind;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.model.infer.Reconstructor;
import dev.symmim.model.masking.Mask;
import dev.symmim.model.masking.Masks;
import dev.symmim.model.masking.PatchGrid;
import dev.symmim.model.runtime.TorchRuntime;
import dev.symmim.schemas.Example;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.dataset.DatasetPaths;
import dev.symmim.transforms.io.Locations;
import dev.symmim.transforms.embed.EmbeddingsManifest;
import dev.symmim.transforms.evaluate.EvaluationMetrics;
import dev.symmim.transforms.evaluate.HealthResult;
import dev.symmim.transforms.evaluate.KnnResult;
import dev.symmim.transforms.evaluate.SetEvaluation;
import dev.symmim.transforms.evaluate.WriteEvaluationMetrics;
import dev.symmim.transforms.training.Checkpoints;
import dev.symmim.transforms.training.TrainingLoop;
import dev.symmim.transforms.failures.BadInputException;
import dev.symmim.transforms.images.ImagePreprocessor;
import dev.symmim.transforms.images.RasterImage;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.beam.sdk.io.FileSystems;

/**
 * {@code report.html} of {@code symmim evaluate}: accuracy table against the baselines, protocols,
 * the pretraining loss curves, the masks M1/M2 over real images, 2-D projections coloured by label,
 * feature health. Plots are PNG files beside the page. A small script marks the body with
 * {@code data-images="loaded/total"} once the page has loaded, for headless checks.
 */
public final class EvaluationReport {
  private static final ObjectMapper JSON = new ObjectMapper();

  private EvaluationReport() {}

  public static Path write(Path out, EvaluationMetrics metrics, EmbeddingsManifest main, Map<String, String> links,
      String headline) throws IOException {
    System.setProperty("java.awt.headless", "true");
    StringBuilder html = new StringBuilder();
    html.append("<!doctype html><html><head><meta charset='utf-8'><title>symmim evaluation</title><style>")
        .append("body{font-family:sans-serif;margin:24px;max-width:1100px}table{border-collapse:collapse}")
        .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f4f4f4}")
        .append("td:first-child{text-align:left}.proto{color:#555;font-size:13px}</style></head><body>\n");
    html.append("<h1>SymMIM evaluation</h1>\n");
    if (headline != null) {
      html.append("<p style='font-size:18px;background:#eef6ee;padding:10px;border-left:4px solid #2ca02c'>")
          .append(esc(headline)).append("</p>\n");
    }
    html.append("<p>Embeddings of <b>").append(esc(main.dataset())).append("</b>");
    String pretrainData = metrics.pretrainData();
    if (main.checkpoint() != null) {
      html.append(" by checkpoint <code>").append(esc(main.checkpoint())).append("</code> (model <code>")
          .append(esc(main.modelId())).append("</code>), pretrained on <b>")
          .append(esc(pretrainData == null ? "unknown data" : pretrainData)).append("</b>");
      if (pretrainData != null && !sameDataset(pretrainData, main.dataset())) {
        html.append(" &mdash; <b>cross-domain</b>: evaluated on a different dataset than pretraining");
      }
    }
    html.append(".</p>\n<p class='proto'>").append(esc(metrics.command() + " " + flags(metrics))).append("</p>\n");
    if (!links.isEmpty()) {
      html.append("<p>");
      new java.util.TreeMap<>(links).forEach((href, title) -> html.append("<a href='").append(esc(href)).append("'>")
          .append(esc(title)).append("</a> &middot; "));
      html.append("<a href='metrics.json'>metrics.json</a></p>\n");
    }

    SetEvaluation first = metrics.sets().values().iterator().next();
    int k = first.knn().primary().k();
    html.append("<h2>Accuracy</h2>\n<table><tr><th>features</th><th>k-NN k=").append(k).append(" top-1</th><th>top-5</th>")
        .append("<th>k-NN k=200 top-1</th><th>top-5</th><th>linear probe top-1</th><th>effective rank</th>")
        .append("<th>mean std</th><th>dim</th></tr>\n");
    for (SetEvaluation s : metrics.sets().values()) {
      KnnResult.AtK primary = s.knn().primary();
      KnnResult.AtK at200 = s.knn().at(200);
      HealthResult h = s.featureHealth();
      html.append("<tr><td>").append(esc(label(s.name()))).append("</td>")
          .append(pct(primary.top1())).append(pct(primary.top5()))
          .append(pct(at200 == null ? Double.NaN : at200.top1())).append(pct(at200 == null ? Double.NaN : at200.top5()))
          .append(pct(s.linearProbe() == null ? Double.NaN : s.linearProbe().top1()))
          .append(num(h == null ? Double.NaN : h.effectiveRank(), "%.1f"))
          .append(num(h == null ? Double.NaN : h.meanStd(), "%.4f"))
          .append(num(h == null ? Double.NaN : h.dim(), "%.0f")).append("</tr>\n");
    }
    html.append("</table>\n");
    html.append("<p class='proto'>k-NN: ").append(esc(first.knn().protocol()))
        .append("; bank ").append(first.knn().bank()).append(", queries ").append(first.knn().queries());
    if (first.linearProbe() != null) {
      html.append(".<br>Linear probe: ").append(esc(first.linearProbe().protocol()));
    }
    if (first.featureHealth() != null) {
      html.append(".<br>Feature health: ").append(esc(first.featureHealth().protocol()));
    }
    html.append(".</p>\n");

    String runDir = main.checkpoint() == null ? null : Checkpoints.runDirOf(main.checkpoint());
    String metricsJsonl = runDir == null ? null : Locations.child(runDir, TrainingLoop.METRICS_FILE);
    if (metricsJsonl != null && Locations.exists(metricsJsonl)) {
      LossCurve.draw(metricsJsonl, out.resolve("loss.png"));
      html.append("<h2>Pretraining loss</h2>\n<p>From <code>").append(esc(metricsJsonl))
          .append("</code>.</p><img src='loss.png' alt='loss curves'>\n");
    }

    Path checkpointDir = main.checkpoint() == null ? null : Checkpoints.local(main.checkpoint());
    PretrainConfig config = checkpointDir == null ? null : Checkpoints.shared(checkpointDir).config();
    List<RasterImage> samples = sampleImages(main.dataset(), 6);
    if (!samples.isEmpty()) {
      int patch = config == null ? 4 : config.encoder().patchSize();
      int block = config == null ? 2 : config.masking().block();
      int size = samples.get(0).height();
      if (size % patch == 0 && (size / patch) % block == 0) {
        masks(samples, patch, block, out.resolve("masks.png"));
        html.append("<h2>Masks over real images</h2>\n<p>Rows: image; M1 (patch checkerboard, ").append(patch)
            .append(" px patches, online encoder); M2 (block checkerboard, k = ").append(block).append(", ").append(block * patch)
            .append(" px blocks, momentum encoder). Masked patches are grey; both masks hide 50%.</p>")
            .append("<img src='masks.png' alt='masks M1 and M2 over validation images'>\n");
      }
      if (config != null && config.encoder().imageSize() == size && config.encoder().channels() == samples.get(0).channels()) {
        reconstructions(samples, Checkpoints.shared(checkpointDir), out.resolve("reconstructions.png"));
        html.append("<h2>Reconstructions</h2>\n<p>Rows: image with M1 applied (the online encoder's input); what the "
            + "online encoder and its linear head D put in the masked patches (visible patches shown as they are).</p>")
            .append("<img src='reconstructions.png' alt='reconstructions of M1-masked validation images'>\n");
      }
    }

    JsonNode projections = JSON.readTree(out.resolve(WriteEvaluationMetrics.PROJECTIONS_FILE).toFile());
    html.append("<h2>2-D projection of the query embeddings</h2>\n<p>PCA of L2-normalized vectors, coloured by label.</p>\n<div>");
    for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) projections::fields) {
      List<double[]> pts = new ArrayList<>();
      for (JsonNode p : e.getValue()) {
        pts.add(new double[] {p.get(0).asDouble(), p.get(1).asDouble(), p.get(2).asDouble()});
      }
      String file = "projection-" + e.getKey() + ".png";
      Plots.scatter(out.resolve(file), label(e.getKey()), pts.toArray(new double[0][]), main.classes());
      html.append("<img style='width:49%' src='").append(file).append("' alt='projection of ").append(esc(e.getKey()))
          .append("'>\n");
    }
    html.append("</div>\n");
    html.append("<script>window.addEventListener('load',function(){var im=document.images,ok=0;")
        .append("for(var i=0;i<im.length;i++){if(im[i].complete&&im[i].naturalWidth>0)ok++;}")
        .append("document.body.setAttribute('data-images',ok+'/'+im.length);});</script>\n</body></html>\n");
    Path page = out.resolve("report.html");
    Files.writeString(page, html.toString(), StandardCharsets.UTF_8);
    return page;
  }

  public static String label(String set) {
    int colon = set.indexOf(':');
    if (colon > 0) {
      return label(set.substring(0, colon)) + ", read-out " + set.substring(colon + 1);
    }
    switch (set) {
      case "online":
        return "SymMIM online encoder";
      case "momentum":
        return "SymMIM momentum (EMA) encoder";
      case "random":
        return "random init (same architecture)";
      case "pixels":
        return "raw pixels";
      case "centredPixels":
        return "raw pixels, centred on the mean image";
      default:
        return set;
    }
  }

  private static boolean sameDataset(String a, String b) {
    return Path.of(a).toAbsolutePath().normalize().equals(Path.of(b).toAbsolutePath().normalize());
  }

  private static String pct(double v) {
    return Double.isFinite(v) ? String.format("<td>%.2f%%</td>", 100 * v) : "<td>-</td>";
  }

  private static String num(double v, String format) {
    return Double.isFinite(v) ? "<td>" + String.format(format, v) + "</td>" : "<td>-</td>";
  }

  /** The flags the command ran with, as {@code --name=value} text. */
  private static String flags(EvaluationMetrics m) {
    StringBuilder sb = new StringBuilder();
    if (m.flags() != null) {
      m.flags().forEach((k, v) -> sb.append(sb.length() > 0 ? " " : "").append("--").append(k).append('=').append(v));
    }
    return sb.toString();
  }

  static String esc(String s) {
    return Html.esc(s);
  }

  /** Up to {@code n} validation images (the first of distinct labels first), as stored. */
  static List<RasterImage> sampleImages(String dataset, int n) throws IOException {
    DatasetManifest m = DatasetManifest.readFrom(dataset);
    DatasetManifest.Split val = m.splits().get("val");
    if (val == null || val.shards().isEmpty()) {
      return List.of();
    }
    List<RasterImage> out = new ArrayList<>();
    java.util.Set<Integer> seen = new java.util.HashSet<>();
    try (InputStream in = Channels.newInputStream(FileSystems.open(DatasetPaths.resolve(dataset, val.shards().get(0).path())));
        DataFileStream<Example> records = new DataFileStream<>(in, new SpecificDatumReader<>(Example.class))) {
      while (records.hasNext() && out.size() < n) {
        Example e = records.next();
        if (seen.add(e.getLabel())) {
          out.add(ImagePreprocessor.rawPixels(e));
        }
      }
    } catch (BadInputException e) {
      return out;
    }
    return out;
  }

  /** Two rows: each image under M1 (masked patches grey), then the checkpoint's reconstruction. */
  static void reconstructions(List<RasterImage> images, dev.symmim.model.checkpoint.Checkpoint checkpoint, Path png)
      throws IOException {
    int patch = checkpoint.config().encoder().patchSize();
    int size = images.get(0).height();
    Mask m1 = Masks.checkerboard(PatchGrid.of(size, size, patch), 0);
    List<RasterImage> masked = new ArrayList<>();
    List<RasterImage> rebuilt = new ArrayList<>();
    try (Reconstructor r = new Reconstructor(checkpoint, TorchRuntime.device(DeviceKind.CPU))) {
      for (RasterImage img : images) {
        masked.add(greyed(img, m1, patch));
        rebuilt.add(new RasterImage(size, size, img.channels(), r.reconstruct(img.pixels(), m1)));
      }
    }
    grid(List.of(masked, rebuilt), png);
  }

  /** {@code img} with the masked patches grey. */
  static RasterImage greyed(RasterImage img, Mask mask, int patch) {
    int size = img.height();
    byte[] grey = img.pixels().clone();
    for (int i = 0; i < grey.length; i++) {
      int pixel = i / img.channels();
      if (mask.isMasked(pixel / size / patch, pixel % size / patch)) {
        grey[i] = (byte) 0x9a;
      }
    }
    return new RasterImage(size, size, img.channels(), grey);
  }

  /** Images in rows, upscaled to about 112 px. */
  static void grid(List<List<RasterImage>> rows, Path png) throws IOException {
    int size = rows.get(0).get(0).height();
    int scale = Math.max(1, 112 / size);
    int cell = size * scale;
    int gap = 6;
    int cols = rows.get(0).size();
    BufferedImage img = new BufferedImage(cols * (cell + gap) + gap, rows.size() * (cell + gap) + gap, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = Plots.canvas(img);
    for (int row = 0; row < rows.size(); row++) {
      for (int c = 0; c < cols; c++) {
        RasterImage r = rows.get(row).get(c);
        for (int y = 0; y < size; y++) {
          for (int x = 0; x < size; x++) {
            int o = (y * size + x) * r.channels();
            int red = r.pixels()[o] & 0xff;
            int green = r.channels() == 3 ? r.pixels()[o + 1] & 0xff : red;
            int blue = r.channels() == 3 ? r.pixels()[o + 2] & 0xff : red;
            g.setColor(new Color(red, green, blue));
            g.fillRect(gap + c * (cell + gap) + x * scale, gap + row * (cell + gap) + y * scale, scale, scale);
          }
        }
      }
    }
    g.dispose();
    ImageIO.write(img, "png", png.toFile());
  }

  /** Three rows: the images, M1 over them, M2 over them (masked patches grey). */
  static void masks(List<RasterImage> images, int patch, int k, Path png) throws IOException {
    int size = images.get(0).height();
    PatchGrid patches = PatchGrid.of(size, size, patch);
    List<List<RasterImage>> rows = new ArrayList<>();
    rows.add(images);
    for (Mask mask : List.of(Masks.checkerboard(patches, 0), Masks.blockCheckerboard(patches, k, 0))) {
      List<RasterImage> row = new ArrayList<>();
      for (RasterImage img : images) {
        row.add(greyed(img, mask, patch));
      }
      rows.add(row);
    }
    grid(rows, png);
  }
}
