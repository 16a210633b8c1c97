package dev.symmim.pipelines.index;

import dev.symmim.model.config.RunSettings;
import dev.symmim.model.config.Precision;
import dev.symmim.model.config.Optimisation;
import dev.symmim.model.config.ContrastiveHeads;
import dev.symmim.pipelines.cli.Symmim;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.symmim.model.config.DeviceKind;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.model.runtime.TorchRuntime;
import dev.symmim.model.train.SymMimTrainer;
import dev.symmim.model.vit.VitSpec;
import dev.symmim.transforms.index.IndexManifest;
import dev.symmim.transforms.index.Neighbor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * prepare -> embed -> index -> search through the CLI on the embedded Flink runner: an indexed image
 * used as the query finds itself first (the query was prepared and embedded exactly like the
 * indexed images), and a checkpoint other than the index's is refused.
 */
public class IndexSearchIT {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  /** 40 distinct smooth 24 px RGB PNGs in two class folders. */
  private Path images() throws Exception {
    Path root = tmp.newFolder("images").toPath();
    SplittableRandom r = new SplittableRandom(5);
    for (int i = 0; i < 40; i++) {
      Path dir = root.resolve(i % 2 == 0 ? "stripes" : "waves");
      Files.createDirectories(dir);
      BufferedImage img = new BufferedImage(24, 24, BufferedImage.TYPE_INT_RGB);
      double fx = 0.2 + r.nextDouble();
      double fy = 0.2 + r.nextDouble();
      double phase = r.nextDouble() * 6.28;
      for (int y = 0; y < 24; y++) {
        for (int x = 0; x < 24; x++) {
          int red = (int) (127 + 120 * Math.sin(fx * x + phase));
          int green = (int) (127 + 120 * Math.cos(fy * y - phase));
          int blue = (int) (127 + 120 * Math.sin(fx * x + fy * y));
          img.setRGB(x, y, (red << 16) | (green << 8) | blue);
        }
      }
      ImageIO.write(img, "png", dir.resolve(String.format("img-%02d.png", i)).toFile());
    }
    return root;
  }

  /** A checkpoint of a freshly initialized tiny ViT (16 px, patch 4, RGB, width 32). */
  private Path checkpoint(String name, long seed) throws Exception {
    PretrainConfig config = PretrainConfig.of(new VitSpec(16, 4, 3, 32, 2, 2, 4))
        .withHeads(new ContrastiveHeads(64, 32, 64)).withOptimisation(Optimisation.pretraining().withBatch(8, 1.5e-4))
        .withRun(new RunSettings(seed, Precision.FP32, DeviceKind.CPU, 0, 0));
    Path dir = tmp.getRoot().toPath().resolve(name);
    try (SymMimTrainer trainer = new SymMimTrainer(config, TorchRuntime.device(DeviceKind.CPU))) {
      trainer.checkpoint().save(dir);
    }
    return dir;
  }

  @Test
  public void anIndexedImageFindsItselfAndAnotherCheckpointIsRefused() throws Exception {
    Path images = images();
    Path root = tmp.getRoot().toPath();
    String data = root.resolve("prepared").toString();
    String embeddings = root.resolve("embeddings").toString();
    String index = root.resolve("index").toString();
    Path checkpoint = checkpoint("ckpt", 7);
    assertEquals(0, Symmim.run(new String[] {"prepare", "--input=" + images, "--output=" + data, "--imageSize=16",
        "--channels=3", "--valFraction=0"}));
    assertEquals(0, Symmim.run(new String[] {"embed", "--data=" + data, "--checkpoint=" + checkpoint,
        "--output=" + embeddings, "--device=cpu"}));
    assertEquals(0, Symmim.run(new String[] {"index", "--embeddings=" + embeddings, "--output=" + index, "--shards=2"}));
    IndexManifest m = IndexManifest.readFrom(index);
    assertEquals(40, m.records());
    assertEquals(32, m.dim());

    Path query = images.resolve("waves/img-07.png");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<Neighbor> hits = SearchCommand.run(Symmim.parse(new String[] {"--index=" + index, "--image=" + query,
        "--checkpoint=" + checkpoint, "--k=3", "--device=cpu"}, SearchOptions.class),
        new PrintStream(out, true, StandardCharsets.UTF_8));
    assertEquals(3, hits.size());
    assertThat(hits.get(0).id(), endsWith("img-07.png"));
    assertEquals("waves", hits.get(0).labelName());
    assertTrue("self-similarity " + hits.get(0).score(), hits.get(0).score() > 0.9999);
    assertThat(out.toString(StandardCharsets.UTF_8), containsString("img-07.png\twaves\t"));

    Path other = checkpoint("other-ckpt", 8);
    String message = assertThrows(IllegalArgumentException.class, () -> Symmim.run(new String[] {"search",
        "--index=" + index, "--image=" + query, "--checkpoint=" + other})).getMessage();
    assertThat(message, containsString("--checkpoint=" + other + " is model sha256:"));
    assertThat(message, containsString("but index " + index + " was built from model " + m.modelId()));
  }
}
