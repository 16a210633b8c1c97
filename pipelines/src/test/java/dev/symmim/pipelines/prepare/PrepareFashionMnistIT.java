package dev.symmim.pipelines.prepare;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.symmim.pipelines.SymmimProcess;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.io.Sha256;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code bin/symmim prepare} on the full Fashion-MNIST (Debian package dataset-fashion-mnist, which
 * .ci/run installs) through the embedded Flink runner, with the JVM heap capped at 1 GiB.
 */
public class PrepareFashionMnistIT {
  static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void preparesFashionMnistWithinOneGigabyteOfHeap() throws Exception {
    assertTrue("Fashion-MNIST is missing: apt-get install dataset-fashion-mnist (.ci/run does)",
        Files.exists(FASHION_MNIST.resolve("train-images-idx3-ubyte.gz")));
    Path out = tmp.newFolder("fmnist").toPath();
    String log = SymmimProcess.run(Map.of("SYMMIM_JAVA_OPTS", "-Xmx1g"),
        "prepare", "--input=" + FASHION_MNIST, "--output=" + out, "--numShards=4");
    assertTrue(log, log.contains("prepare: 70000 inputs -> train 60000, val 10000, failed 0, duplicates 0"));

    DatasetManifest m = DatasetManifest.readFrom(out.toString());
    assertEquals(70000, m.inputs());
    assertEquals(60000, m.splits().get("train").records());
    assertEquals(10000, m.splits().get("val").records());
    assertEquals(10, m.classes().size());
    assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), m.classes());
    for (String c : m.classes()) {
      assertEquals(6000L, (long) m.splits().get("train").classCounts().get(c));
      assertEquals(1000L, (long) m.splits().get("val").classCounts().get(c));
    }
    assertTrue(m.reconciles());
    assertEquals(0.286, m.channelMean()[0], 0.01);
    for (DatasetManifest.Split split : m.splits().values()) {
      assertEquals(4, split.shards().size());
      for (DatasetManifest.Shard s : split.shards()) {
        assertTrue(Math.abs(s.records() - split.records() / 4) <= 1);
        assertEquals(s.sha256(), Sha256.ofFiles(out.resolve(s.path())));
      }
    }
    assertTrue(!new File(out.toFile(), "failed").exists());
  }
}
