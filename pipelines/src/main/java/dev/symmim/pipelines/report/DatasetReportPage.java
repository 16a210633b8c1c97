package dev.symmim.pipelines.report;

import dev.symmim.transforms.dataset.DatasetPaths;
import dev.symmim.schemas.Example;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.failures.BadInputException;
import dev.symmim.transforms.images.ImagePreprocessor;
import dev.symmim.transforms.images.RasterImage;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.beam.sdk.io.FileSystems;

/** A static HTML page describing a prepared dataset: counts, classes, sample images, shards. */
public final class DatasetReportPage {
  private static final int SAMPLES_PER_CLASS = 12;

  private DatasetReportPage() {}

  /** The page, with links (relative href -> title) to the pages of later stages. */
  public static Path write(String datasetDir, Path page, Map<String, String> links) throws IOException, BadInputException {
    DatasetManifest m = DatasetManifest.readFrom(datasetDir);
    Files.createDirectories(page.toAbsolutePath().getParent());
    Map<String, List<RasterImage>> samples = samples(datasetDir, m);
    Path grid = page.resolveSibling("samples.png");
    ImageIO.write(grid(samples, m.imageSize()), "png", grid.toFile());

    StringBuilder h = new StringBuilder();
    h.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>symmim dataset report</title>")
        .append("<style>body{font-family:sans-serif;max-width:960px;margin:2em auto}table{border-collapse:collapse}")
        .append("td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}th{background:#eee}")
        .append(".bar{background:#4a7;height:12px;display:inline-block}</style></head><body>")
        .append("<h1>Prepared dataset</h1><p><code>").append(Html.esc(datasetDir)).append("</code></p>");
    links.forEach((href, title) -> h.append("<p><a href=\"").append(Html.esc(href)).append("\">").append(Html.esc(title))
        .append("</a></p>"));
    h
        .append("<h2>Counts</h2><table><tr><th>inputs</th><th>train</th><th>val</th><th>failed</th><th>duplicates</th><th>reconciles</th></tr><tr>")
        .append(td(m.inputs())).append(td(m.splits().get("train").records())).append(td(m.splits().get("val").records()))
        .append(td(m.failed())).append(td(m.duplicates())).append("<td>").append(m.reconciles() ? "yes" : "NO").append("</td></tr></table>")
        .append("<p>Images ").append(m.imageSize()).append("x").append(m.imageSize()).append(", ")
        .append(m.channels()).append(" channel(s), stored ").append(Html.esc(m.storage()))
        .append("; channel mean ").append(fmt(m.channelMean())).append(", std ").append(fmt(m.channelStd())).append(".</p>")
        .append("<h2>Classes</h2><table><tr><th>class</th><th>train</th><th>val</th><th></th></tr>");
    long max = 1;
    for (String c : m.classes()) {
      max = Math.max(max, m.splits().get("train").classCounts().getOrDefault(c, 0L));
    }
    for (String c : m.classes()) {
      long train = m.splits().get("train").classCounts().getOrDefault(c, 0L);
      long val = m.splits().get("val").classCounts().getOrDefault(c, 0L);
      h.append("<tr><td>").append(Html.esc(c)).append("</td>").append(td(train)).append(td(val))
          .append("<td style=\"text-align:left\"><span class=\"bar\" style=\"width:").append(200 * train / max)
          .append("px\"></span></td></tr>");
    }
    h.append("</table><h2>Samples (train, one row per class)</h2><img id=\"samples\" src=\"samples.png\" alt=\"sample images per class\">")
        .append("<h2>Shards</h2><table><tr><th>path</th><th>records</th><th>bytes</th><th>sha256</th></tr>");
    m.splits().values().forEach(s -> s.shards().forEach(sh -> h.append("<tr><td style=\"text-align:left\">")
        .append(Html.esc(sh.path())).append("</td>").append(td(sh.records())).append(td(sh.bytes()))
        .append("<td><code>").append(sh.sha256(), 0, 16).append("…</code></td></tr>")));
    h.append("</table><h2>Configuration</h2><pre>").append(Html.esc(m.config().toPrettyString())).append("</pre></body></html>\n");
    Files.writeString(page, h, StandardCharsets.UTF_8);
    return page.toAbsolutePath();
  }

  /** Up to {@link #SAMPLES_PER_CLASS} train images per class, in shard order. */
  private static Map<String, List<RasterImage>> samples(String dir, DatasetManifest m)
      throws IOException, BadInputException {
    Map<String, List<RasterImage>> out = new LinkedHashMap<>();
    List<String> names = m.classes().isEmpty() ? List.of("") : m.classes();
    names.forEach(c -> out.put(c, new ArrayList<>()));
    for (DatasetManifest.Shard shard : m.splits().get("train").shards()) {
      var id = DatasetPaths.resolve(dir, shard.path());
      try (InputStream in = Channels.newInputStream(FileSystems.open(id));
          DataFileStream<Example> examples = new DataFileStream<>(in, new SpecificDatumReader<>(Example.class))) {
        for (Example e : examples) {
          List<RasterImage> list = out.get(e.getLabelName() == null ? "" : e.getLabelName());
          if (list != null && list.size() < SAMPLES_PER_CLASS) {
            list.add(ImagePreprocessor.rawPixels(e));
          }
          if (out.values().stream().allMatch(l -> l.size() >= SAMPLES_PER_CLASS)) {
            return out;
          }
        }
      }
    }
    return out;
  }

  private static BufferedImage grid(Map<String, List<RasterImage>> samples, int size) {
    int scale = Math.max(1, 64 / size);
    int cell = size * scale + 2;
    BufferedImage img = new BufferedImage(cell * SAMPLES_PER_CLASS, cell * Math.max(1, samples.size()), BufferedImage.TYPE_INT_RGB);
    int row = 0;
    for (List<RasterImage> list : samples.values()) {
      for (int col = 0; col < list.size(); col++) {
        RasterImage r = list.get(col).withChannels(3);
        for (int y = 0; y < size * scale; y++) {
          for (int x = 0; x < size * scale; x++) {
            int p = ((y / scale) * size + x / scale) * 3;
            int rgb = (r.pixels()[p] & 0xff) << 16 | (r.pixels()[p + 1] & 0xff) << 8 | (r.pixels()[p + 2] & 0xff);
            img.setRGB(col * cell + 1 + x, row * cell + 1 + y, rgb);
          }
        }
      }
      row++;
    }
    return img;
  }

  private static String td(long v) {
    return "<td>" + v + "</td>";
  }

  private static String fmt(double[] v) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      sb.append(i > 0 ? ", " : "").append(String.format("%.4f", v[i]));
    }
    return sb.append(']').toString();
  }

}
