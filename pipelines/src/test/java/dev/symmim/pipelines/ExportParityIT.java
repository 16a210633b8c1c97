package dev.symmim.pipelines;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.symmim.model.checkpoint.NamedTensor;
import dev.symmim.model.checkpoint.Safetensors;
import dev.symmim.model.finetune.FineTuneConfig;
import dev.symmim.model.finetune.FineTuneTrainer;
import dev.symmim.model.infer.EmbeddingPredictor;
import dev.symmim.model.random.SeededRandom;
import dev.symmim.model.vit.PositionResampling;
import dev.symmim.pipelines.cli.Symmim;
import dev.symmim.pipelines.finetune.FinetuneOptions;
import dev.symmim.pipelines.finetune.FinetunePipeline;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.finetune.FinetuneRun;
import dev.symmim.transforms.finetune.FinetuningTask;
import dev.symmim.transforms.training.Checkpoints;
import dev.symmim.transforms.training.TrainingImages;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The encoder leaves Java and comes back, checked against PyTorch ({@code /usr/bin/python3} with
 * Debian's python3-torch; the plain-PyTorch ViT of {@code export/plain_vit.py}, no timm): a few
 * pretraining steps of a dim-32 depth-2 ViT on the shipped Fashion-MNIST subset, exported through
 * the CLI, embed 32 real val images with the same CLS features as {@link EmbeddingPredictor}
 * (max |diff| < 1e-4), also through the README's own snippet; a perturbed tensor is caught; weights
 * written by PyTorch ({@code torch.save}, converted to safetensors with struct/json) imported as
 * {@code finetune --init} give PyTorch's features, and fine-tune and export through the CLI; timm's
 * position resampling matches. Skips only where PyTorch is missing and apt cannot install it.
 */
public class ExportParityIT {
  static final double TOLERANCE = 1e-4;
  static final int IMAGES = 32;
  static final String PYTHON = "/usr/bin/python3";
  static final ObjectMapper JSON = new ObjectMapper();
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();
  static Path data;
  static Path run;
  static Path export;
  static Path script;
  static Path images;
  static byte[] pixels;

  @BeforeClass
  public static void prepareTrainAndExport() throws Exception {
    requireTorch();
    script = TMP.getRoot().toPath().resolve("plain_vit.py");
    try (InputStream in = ExportParityIT.class.getResourceAsStream("/export/plain_vit.py")) {
      Files.copy(in, script);
    }
    data = TMP.newFolder("fmnist").toPath();
    SymmimProcess.run(Map.of(), "prepare", "--input=" + SymmimProcess.repo().resolve("data/fashion-mnist-subset"),
        "--output=" + data);
    run = TMP.getRoot().toPath().resolve("run");
    SymmimProcess.run(Map.of(), "pretrain", "--data=" + data, "--output=" + run, "--dim=32", "--depth=2", "--heads=2",
        "--headHidden=64", "--maxImages=256", "--batchSize=64", "--epochs=1", "--lr=1.5e-3", "--device=cpu",
        "--deterministic", "--seed=1");
    export = TMP.getRoot().toPath().resolve("export");
    SymmimProcess.run(Map.of(), "export", "--checkpoint=" + run, "--output=" + export);
    TrainingImages val = TrainingImages.load(data.toString(), DatasetManifest.readFrom(data.toString()), "val", 0);
    int per = val.size() * val.size() * val.channels();
    pixels = new byte[IMAGES * per];
    for (int i = 0; i < IMAGES; i++) {
      System.arraycopy(val.pixels(i), 0, pixels, i * per, per);
    }
    images = TMP.getRoot().toPath().resolve("images.u8");
    Files.write(images, pixels);
  }

  /** PyTorch for /usr/bin/python3: present, or installed by the project's set-up where apt exists; else skip. */
  static void requireTorch() throws Exception {
    if (exitCode(PYTHON, "-c", "import torch, numpy") == 0) {
      return;
    }
    Assume.assumeTrue("ExportParityIT skipped: " + PYTHON + " cannot import torch and numpy, and apt-get is not "
        + "available to install python3-torch and python3-numpy (infra/dev/install-test-deps.sh)",
        Files.isExecutable(Path.of("/usr/bin/apt-get")));
    ProcessBuilder pb = new ProcessBuilder(SymmimProcess.repo().resolve("infra/dev/install-test-deps.sh").toString())
        .redirectErrorStream(true);
    Process p = pb.start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals("infra/dev/install-test-deps.sh failed:\n" + log, 0, p.waitFor());
    assertEquals("apt is available but " + PYTHON + " still cannot import torch after install-test-deps.sh:\n" + log, 0,
        exitCode(PYTHON, "-c", "import torch, numpy"));
  }

  static int exitCode(String... command) throws Exception {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor();
    } catch (java.io.IOException e) {
      return -1; // no such interpreter
    }
  }

  /** Runs the script; returns its output, failing with it on a non-zero exit. */
  static String python(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(PYTHON, script.toString()));
    cmd.addAll(Arrays.asList(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals("python " + String.join(" ", args) + " failed:\n" + out, 0, p.waitFor());
    return out;
  }

  static float[] floats(Path file) throws Exception {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[b.remaining() / 4];
    b.asFloatBuffer().get(out);
    return out;
  }

  static double maxAbsDiff(float[][] java, float[] python) {
    assertEquals(java.length * java[0].length, python.length);
    double max = 0;
    for (int i = 0; i < java.length; i++) {
      for (int k = 0; k < java[i].length; k++) {
        max = Math.max(max, Math.abs(java[i][k] - python[i * java[i].length + k]));
      }
    }
    return max;
  }

  static float[][] embedWithJava() throws Exception {
    try (EmbeddingPredictor p = EmbeddingPredictor.load(Checkpoints.resolve(run.toString()))) {
      return p.embed(pixels, IMAGES);
    }
  }

  @Test
  public void exportedEncoderGivesJavasFeaturesInPlainPyTorchAndAPerturbedTensorIsCaught() throws Exception {
    float[][] java = embedWithJava();
    Path out = TMP.getRoot().toPath().resolve("python.f32");
    python("features", export.toString(), images.toString(), String.valueOf(IMAGES), out.toString());
    double diff = maxAbsDiff(java, floats(out));
    System.out.printf("ExportParityIT: Java (EmbeddingPredictor) vs plain PyTorch, %d x %d CLS features: max |diff| "
        + "%.3g%n", IMAGES, java[0].length, diff);
    assertTrue("max |diff| " + diff, diff < TOLERANCE);

    Path snippet = TMP.getRoot().toPath().resolve("readme_snippet.py");
    Files.writeString(snippet, pythonBlock(Files.readString(export.resolve("README.md")), "## Plain PyTorch"));
    Path viaReadme = TMP.getRoot().toPath().resolve("readme.f32");
    python("readme", export.toString(), snippet.toString(), images.toString(), String.valueOf(IMAGES),
        viaReadme.toString());
    double readmeDiff = maxAbsDiff(java, floats(viaReadme));
    System.out.printf("ExportParityIT: Java vs the README's plain-PyTorch snippet: max |diff| %.3g%n", readmeDiff);
    assertTrue("README snippet max |diff| " + readmeDiff, readmeDiff < TOLERANCE);

    Safetensors.Contents c = Safetensors.read(Files.readAllBytes(export.resolve("model.safetensors")));
    List<NamedTensor> perturbed = new ArrayList<>();
    for (NamedTensor t : c.tensors().values()) {
      float[] v = t.data().clone();
      if (t.name().equals("blocks.1.attn.proj.weight")) {
        v[7] += 0.05f; // one weight of one tensor
      }
      perturbed.add(new NamedTensor(t.name(), t.shape(), v));
    }
    Path bad = TMP.newFolder("perturbed").toPath();
    Files.write(bad.resolve("model.safetensors"), Safetensors.write(perturbed, c.metadata()));
    Files.copy(export.resolve("config.json"), bad.resolve("config.json"));
    Path badOut = TMP.getRoot().toPath().resolve("perturbed.f32");
    python("features", bad.toString(), images.toString(), String.valueOf(IMAGES), badOut.toString());
    double badDiff = maxAbsDiff(java, floats(badOut));
    System.out.printf("ExportParityIT: with blocks.1.attn.proj.weight[7] += 0.05: max |diff| %.3g%n", badDiff);
    assertTrue("the parity check must see a perturbed tensor: max |diff| " + badDiff, badDiff >= TOLERANCE);
  }

  @Test
  public void weightsWrittenByPyTorchImportedByFinetuneGivePyTorchsFeatures() throws Exception {
    Path torchDir = TMP.newFolder("torch").toPath();
    String made = python("torch", export.resolve("config.json").toString(), "11", torchDir.toString(),
        images.toString(), String.valueOf(IMAGES));
    JsonNode facts = JSON.readTree(made.lines().reduce((a, b) -> b).orElseThrow());
    assertTrue("the PyTorch model has a CLS position to fold in: " + made, facts.get("cls_position_abs_max").asDouble() > 0);
    Path file = torchDir.resolve("model.safetensors");

    FinetuneRun planned = FinetunePipeline.plan(Symmim.parse(new String[] {"--data=" + data,
        "--output=" + TMP.getRoot().toPath().resolve("ft-plan"), "--init=" + file, "--heads=2", "--batchSize=50",
        "--labelFraction=0.1", "--epochs=1", "--device=cpu"}, FinetuneOptions.class));
    FineTuneConfig config = FineTuneConfig.fromJson(planned.configJson());
    float[] unit = new float[pixels.length];
    for (int i = 0; i < unit.length; i++) {
      unit[i] = (pixels[i] & 0xFF) / 255f;
    }
    float[][] java;
    try (FineTuneTrainer t = FinetuningTask.imported(config, planned.pretrained())) {
      java = t.features(unit);
    }
    double diff = maxAbsDiff(java, floats(torchDir.resolve("features.f32")));
    System.out.printf("ExportParityIT: PyTorch-written weights (learned pos_embed, CLS position folded) imported by "
        + "finetune --init vs PyTorch: max |diff| %.3g%n", diff);
    assertTrue("max |diff| " + diff, diff < TOLERANCE);

    // Through the CLI: fine-tune from the file, then export the fine-tuned classifier.
    Path ft = TMP.getRoot().toPath().resolve("ft");
    SymmimProcess.run(Map.of(), "finetune", "--data=" + data, "--output=" + ft, "--init=" + file, "--heads=2",
        "--labelFraction=0.1", "--epochs=1", "--batchSize=50", "--device=cpu", "--deterministic", "--seed=1");
    assertTrue(Files.readString(ft.resolve("run.json")).contains("safetensors:" + file));
    Path ftExport = TMP.getRoot().toPath().resolve("ft-export");
    SymmimProcess.run(Map.of(), "export", "--checkpoint=" + ft, "--output=" + ftExport);
    Safetensors.Contents exported = Safetensors.read(Files.readAllBytes(ftExport.resolve("model.safetensors")));
    assertArrayEquals(new long[] {10, 32}, exported.tensor("head.weight").shape());
    Safetensors.Contents original = Safetensors.read(Files.readAllBytes(file));
    float[] before = original.tensor("pos_embed").data();
    float[] after = exported.tensor("pos_embed").data();
    assertArrayEquals("the imported learned positions stay fixed through fine-tuning and come back out",
        Arrays.copyOfRange(before, 32, before.length), Arrays.copyOfRange(after, 32, after.length), 0f);
    JsonNode cfg = JSON.readTree(ftExport.resolve("config.json").toFile());
    assertEquals(10, cfg.get("class_names").size());
    assertEquals("T-shirt/top", cfg.get("class_names").get(0).asText());
    Path ftOut = TMP.getRoot().toPath().resolve("ft-python.f32");
    python("features", ftExport.toString(), images.toString(), String.valueOf(IMAGES), ftOut.toString());
  }

  @Test
  public void positionResamplingMatchesTimmsBicubicInterpolation() throws Exception {
    int dim = 32;
    float[] table = new float[8 * 8 * dim];
    SeededRandom r = new SeededRandom(5);
    for (int i = 0; i < table.length; i++) {
      table[i] = (float) r.nextGaussian();
    }
    Path in = TMP.getRoot().toPath().resolve("table.f32");
    ByteBuffer b = ByteBuffer.allocate(4 * table.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(table);
    Files.write(in, b.array());
    for (int[] to : new int[][] {{12, 12}, {5, 5}, {8, 3}}) {
      Path out = TMP.getRoot().toPath().resolve("resampled-" + to[0] + "x" + to[1] + ".f32");
      python("resample", in.toString(), "8", "8", String.valueOf(dim), String.valueOf(to[0]), String.valueOf(to[1]),
          out.toString());
      float[] torch = floats(out);
      float[] ours = PositionResampling.bicubic(table, dim, 8, 8, to[0], to[1]);
      double max = 0;
      for (int i = 0; i < ours.length; i++) {
        max = Math.max(max, Math.abs(ours[i] - torch[i]));
      }
      System.out.printf("ExportParityIT: pos_embed 8x8 -> %dx%d, ours vs F.interpolate(bicubic, antialias): max |diff| "
          + "%.3g%n", to[0], to[1], max);
      assertTrue("8x8 -> " + to[0] + "x" + to[1] + " max |diff| " + max, max < 1e-5);
    }
  }

  /** The first ```python block after {@code heading}. */
  static String pythonBlock(String markdown, String heading) {
    int at = markdown.indexOf(heading);
    assertTrue("README has no '" + heading + "'", at >= 0);
    int start = markdown.indexOf("```python\n", at) + "```python\n".length();
    return markdown.substring(start, markdown.indexOf("```", start));
  }
}
