package dev.symmim.pipelines.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.symmim.pipelines.embed.EmbedOptions;
import dev.symmim.pipelines.embed.EmbedPipeline;
import dev.symmim.pipelines.evaluate.EvaluateOptions;
import dev.symmim.pipelines.evaluate.EvaluatePipeline;
import dev.symmim.pipelines.options.Flags;
import dev.symmim.pipelines.options.MaskFlag;
import dev.symmim.pipelines.options.OptionDocs;
import dev.symmim.pipelines.options.ParityFlag;
import dev.symmim.pipelines.pretrain.PretrainOptions;
import dev.symmim.pipelines.pretrain.PretrainPipeline;
import dev.symmim.pipelines.report.Html;
import dev.symmim.pipelines.runner.StageOptions;
import dev.symmim.transforms.embed.EncoderKind;
import dev.symmim.transforms.evaluate.EvaluationMetrics;
import dev.symmim.transforms.evaluate.MetricsJson;
import dev.symmim.transforms.evaluate.SetEvaluation;
import dev.symmim.transforms.evaluate.WriteEvaluationMetrics;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code symmim ablate}: the paper's first experiment on one dataset and budget. Every variant
 * (symmetric masks with fixed or random parity, MAE-style random masks at 50% and 75%, SimMIM-style
 * blocks) is pretrained with the same flags for each seed, embedded and evaluated (k-NN, linear
 * probe); the table reports mean +- std over seeds, with raw pixels as the reference. Finished
 * runs are reused, so an interrupted ablation continues where it stopped.
 */
public final class Ablate {
  /** One masking variant: pretrain flags. */
  record Variant(String name, String title, MaskFlag mask, ParityFlag parity, double ratio) {}

  static final Map<String, Variant> VARIANTS = new LinkedHashMap<>();

  static {
    for (Variant v : List.of(
        new Variant("symmetric", "SymMIM symmetric, fixed parity (s = 0)", MaskFlag.symmetric, ParityFlag.fixed, 0.5),
        new Variant("symmetric-random-parity", "SymMIM symmetric, random parity", MaskFlag.symmetric, ParityFlag.random, 0.5),
        new Variant("random50", "random patches 50% (MAE-style)", MaskFlag.random, ParityFlag.fixed, 0.5),
        new Variant("random75", "random patches 75% (MAE-style)", MaskFlag.random, ParityFlag.fixed, 0.75),
        new Variant("block", "random blocks 60% (SimMIM-style)", MaskFlag.block, ParityFlag.fixed, 0.75))) {
      VARIANTS.put(v.name(), v);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Ablate() {}

  static List<Variant> variants(String flag) {
    List<Variant> out = new ArrayList<>();
    for (String name : flag.split(",")) {
      Variant v = VARIANTS.get(name.trim());
      if (v == null) {
        throw new IllegalArgumentException("--variants: unknown variant '" + name.trim() + "'; known: "
            + String.join(", ", VARIANTS.keySet()));
      }
      out.add(v);
    }
    return out;
  }

  public static Path run(AblateOptions o) throws Exception {
    OptionDocs.requireAll(o, AblateOptions.class);
    Flags.check(o.getSeeds() >= 1, "seeds", o.getSeeds(), "must be >= 1");
    List<Variant> variants = variants(o.getVariants());
    Path out = Path.of(o.getOutput()).toAbsolutePath().normalize();
    Files.createDirectories(out);
    long baseSeed = o.getSeed();
    ObjectNode result = JSON.createObjectNode();
    result.put("data", o.getData());
    result.put("seeds", o.getSeeds());
    result.put("protocol", "each run: symmim pretrain with the shared flags below and the variant's --mask/--parity/"
        + "--maskRatio, then embed (online encoder) and evaluate (DINO k-NN k=20 T=0.07, linear probe) on the same data");
    ObjectNode table = result.putObject("variants");
    String pixelsTop1 = null;
    for (Variant v : variants) {
      ArrayNode runs = JSON.createArrayNode();
      for (int s = 0; s < o.getSeeds(); s++) {
        String name = v.name() + "-seed" + (baseSeed + s);
        Path runDir = out.resolve("runs").resolve(name);
        Path evalDir = out.resolve("evaluations").resolve(name);
        if (!Files.isRegularFile(evalDir.resolve("metrics.json"))) {
          System.out.println("ablate: " + name + ": pretrain -> embed -> evaluate");
          PretrainOptions p = o.as(PretrainOptions.class);
          p.setOutput(runDir.toString());
          p.setMask(v.mask());
          p.setParity(v.parity());
          p.setMaskRatio(v.mask() == MaskFlag.random ? v.ratio() : 0.75);
          p.setSeed(baseSeed + s);
          PretrainPipeline.run(p);
          EmbedOptions e = StageOptions.derive(o, EmbedOptions.class);
          e.setData(o.getData());
          e.setCheckpoint(runDir.toString());
          e.setOutput(out.resolve("embeddings").resolve(name).toString());
          EmbedPipeline.run(e);
          EvaluateOptions ev = StageOptions.derive(o, EvaluateOptions.class);
          ev.setEmbeddings(out.resolve("embeddings").resolve(name).toString());
          ev.setOutput(evalDir.toString());
          ev.setBaselines(s == 0 && pixelsTop1 == null && v == variants.get(0)); // raw pixels once, as the reference
          EvaluatePipeline.run(ev);
        } else {
          System.out.println("ablate: " + name + ": done earlier, reusing " + evalDir.resolve("metrics.json"));
        }
        EvaluationMetrics m = MetricsJson.read(Files.readAllBytes(evalDir.resolve(WriteEvaluationMetrics.METRICS_FILE)),
            EvaluationMetrics.class);
        SetEvaluation online = m.sets().get(EncoderKind.online.name());
        ObjectNode r = runs.addObject();
        r.put("seed", baseSeed + s);
        r.put("knnTop1", online.knn().primary().top1());
        r.put("linearTop1", online.linearProbe().top1());
        r.put("metrics", evalDir.resolve(WriteEvaluationMetrics.METRICS_FILE).toString());
        SetEvaluation pixels = m.sets().get(EncoderKind.pixels.name());
        if (pixels != null) {
          pixelsTop1 = String.format("%.2f%%", 100 * pixels.knn().primary().top1());
          result.put("pixelsKnnTop1", pixels.knn().primary().top1());
        }
      }
      ObjectNode row = table.putObject(v.name());
      row.put("title", v.title());
      row.set("runs", runs);
      row.put("knnTop1Mean", mean(runs, "knnTop1"));
      row.put("knnTop1Std", std(runs, "knnTop1"));
      row.put("linearTop1Mean", mean(runs, "linearTop1"));
      row.put("linearTop1Std", std(runs, "linearTop1"));
    }
    Files.writeString(out.resolve("ablation.json"), JSON.writeValueAsString(result) + "\n");
    Path page = write(out, result, pixelsTop1);
    System.out.println("ablate: variant                                k-NN top-1 (k=20)   linear top-1");
    for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) table::fields) {
      JsonNode r = e.getValue();
      System.out.printf("ablate: %-40s %6.2f +- %.2f %%   %6.2f +- %.2f %%%n", r.get("title").asText(),
          100 * r.get("knnTop1Mean").asDouble(), 100 * r.get("knnTop1Std").asDouble(),
          100 * r.get("linearTop1Mean").asDouble(), 100 * r.get("linearTop1Std").asDouble());
    }
    System.out.println("ablate: raw pixels k-NN top-1 " + pixelsTop1);
    System.out.println("ablate: table " + page);
    return page;
  }

  static double mean(ArrayNode runs, String field) {
    double s = 0;
    for (JsonNode r : runs) {
      s += r.get(field).asDouble();
    }
    return s / runs.size();
  }

  /** Sample standard deviation (0 for one run). */
  static double std(ArrayNode runs, String field) {
    if (runs.size() < 2) {
      return 0;
    }
    double m = mean(runs, field);
    double s = 0;
    for (JsonNode r : runs) {
      double d = r.get(field).asDouble() - m;
      s += d * d;
    }
    return Math.sqrt(s / (runs.size() - 1));
  }

  static Path write(Path out, JsonNode result, String pixelsTop1) throws IOException {
    StringBuilder html = new StringBuilder("<!doctype html><html><head><meta charset='utf-8'><title>symmim ablation"
        + "</title><style>body{font-family:sans-serif;margin:24px}table{border-collapse:collapse}td,th{border:1px solid"
        + " #ccc;padding:4px 8px;text-align:right}td:first-child{text-align:left}</style></head><body>"
        + "<h1>Masking ablation</h1><p>Data <b>" + Html.esc(result.path("data").asText()) + "</b>, "
        + result.path("seeds").asInt() + " seed(s) per variant; mean &plusmn; sample std.</p><p>"
        + Html.esc(result.path("protocol").asText()) + "</p><table><tr><th>variant</th><th>k-NN top-1 (k=20)"
        + "</th><th>linear probe top-1</th><th>runs</th></tr>");
    for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) result.path("variants")::fields) {
      JsonNode r = e.getValue();
      html.append(String.format("<tr><td>%s</td><td>%.2f &plusmn; %.2f%%</td><td>%.2f &plusmn; %.2f%%</td><td>%d</td></tr>",
          Html.esc(r.get("title").asText()), 100 * r.get("knnTop1Mean").asDouble(),
          100 * r.get("knnTop1Std").asDouble(), 100 * r.get("linearTop1Mean").asDouble(),
          100 * r.get("linearTop1Std").asDouble(), r.get("runs").size()));
    }
    html.append("<tr><td>raw pixels (reference)</td><td>").append(pixelsTop1 == null ? "-" : pixelsTop1)
        .append("</td><td></td><td></td></tr></table></body></html>\n");
    Path page = out.resolve("ablation.html");
    Files.writeString(page, html.toString(), StandardCharsets.UTF_8);
    return page;
  }
}
