package dev.symmim.pipelines.bench;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.symmim.pipelines.evaluate.EvaluatePipeline;
import dev.symmim.schemas.Embedding;
import dev.symmim.schemas.Example;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.embed.EmbeddingsManifest;
import dev.symmim.transforms.images.ImagePreprocessor;
import dev.symmim.transforms.io.Sha256;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@code symmim bench memory}'s flags and synthetic inputs, small (no command is run or measured). */
public class MemoryBenchTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void sizesAndCommandsAreChecked() {
    assertEquals(List.of(10000, 100000, 1000000), MemoryBench.sizes("10000, 100000,1000000"));
    assertThrows(IllegalArgumentException.class, () -> MemoryBench.sizes("10k"));
    assertThrows(IllegalArgumentException.class, () -> MemoryBench.sizes("100,5"));
    assertEquals(List.of("index", "evaluate"), MemoryBench.commands("index, evaluate"));
    assertThrows(IllegalArgumentException.class, () -> MemoryBench.commands("evaluate,prepare"));
    assertThrows(IllegalArgumentException.class, () -> MemoryBench.commands(" , "));
    assertEquals(List.of("--shards=2", "--m=8"), MemoryBench.flags(" --shards=2  --m=8 "));
    assertEquals(List.of(), MemoryBench.flags(" "));
  }

  @Test
  public void theValSplitIsATenthCappedAndSpreadEvenly() {
    assertEquals(2, MemoryBench.queries(20, 1000));
    assertEquals(1000, MemoryBench.queries(10000, 1000));
    assertEquals(1000, MemoryBench.queries(1000000, 1000));
    int val = 0;
    int firstHalf = 0;
    for (int i = 0; i < 1000; i++) {
      if (MemoryBench.isVal(i, 1000, 100)) {
        val++;
        firstHalf += i < 500 ? 1 : 0;
      }
    }
    assertEquals(100, val);
    assertEquals(50, firstHalf);
  }

  @Test
  public void embeddingsAreADirectoryEvaluateAccepts() throws Exception {
    Path images = tmp.getRoot().toPath().resolve("images");
    MemoryBench.writeImages(images, 20, 2, 10, 1);
    Path dir = tmp.getRoot().toPath().resolve("embeddings");
    EmbeddingsManifest written = MemoryBench.writeEmbeddings(dir, 120, 12, 8, 10, 3, images);
    EmbeddingsManifest m = EvaluatePipeline.readManifest(dir.toString(), "embeddings");
    assertEquals(108L, (long) m.splits().get("train"));
    assertEquals(12L, (long) m.splits().get("val"));
    assertEquals(8, m.dim());
    assertEquals(10, m.classes().size());
    assertEquals(images.toString(), m.dataset());
    List<Embedding> all = new ArrayList<>();
    for (DatasetManifest.Shard s : m.shards()) {
      byte[] bytes = Files.readAllBytes(dir.resolve(s.path()));
      assertEquals(s.sha256(), Sha256.of(bytes));
      try (DataFileReader<Embedding> r = new DataFileReader<>(dir.resolve(s.path()).toFile(),
          new SpecificDatumReader<>(Embedding.class))) {
        r.forEach(all::add);
      }
    }
    assertEquals(120, all.size());
    assertEquals(12, all.stream().filter(e -> e.getSplit().toString().equals("val")).count());
    for (Embedding e : all) {
      double norm = 0;
      for (float x : e.getVector()) {
        norm += x * x;
      }
      assertEquals(1, norm, 1e-5);
      assertTrue(e.getLabel() >= 0 && e.getLabel() < 10);
      assertEquals("class-" + e.getLabel(), e.getLabelName().toString());
      assertEquals(m.modelId(), e.getModelId().toString());
    }
    // The same seed writes the same bytes.
    EmbeddingsManifest again = MemoryBench.writeEmbeddings(tmp.getRoot().toPath().resolve("again"), 120, 12, 8, 10, 3,
        images);
    assertEquals(written.shards().get(0).sha256(), again.shards().get(0).sha256());
  }

  @Test
  public void imagesAreAPreparedDataset() throws Exception {
    Path dir = tmp.getRoot().toPath().resolve("images");
    MemoryBench.writeImages(dir, 50, 5, 10, 1);
    DatasetManifest m = DatasetManifest.readFrom(dir.toString());
    assertTrue(m.reconciles());
    assertEquals(45, m.splits().get("train").records());
    assertEquals(5, m.splits().get("val").records());
    assertEquals(32, m.imageSize());
    for (String split : List.of("train", "val")) {
      DatasetManifest.Split s = m.splits().get(split);
      assertEquals(s.records(), s.classCounts().values().stream().mapToLong(Long::longValue).sum());
      long n = 0;
      for (DatasetManifest.Shard shard : s.shards()) {
        File f = dir.resolve(shard.path()).toFile();
        assertEquals(shard.sha256(), Sha256.of(Files.readAllBytes(f.toPath())));
        try (DataFileReader<Example> r = new DataFileReader<>(f, new SpecificDatumReader<>(Example.class))) {
          for (Example e : r) {
            assertEquals(split, e.getSplit().toString());
            assertEquals(32 * 32, ImagePreprocessor.rawPixels(e).pixels().length);
            n++;
          }
        }
      }
      assertEquals(s.records(), n);
    }
  }
}
