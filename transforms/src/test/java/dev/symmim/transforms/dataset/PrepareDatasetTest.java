package dev.symmim.transforms.dataset;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.symmim.schemas.Example;
import dev.symmim.schemas.FailedRecord;
import dev.symmim.transforms.images.Fixtures;
import dev.symmim.transforms.images.ImageFormat;
import dev.symmim.transforms.images.ImagePreprocessor;
import dev.symmim.transforms.images.ImageSource;
import dev.symmim.transforms.images.PixelStorage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.values.PCollection;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class PrepareDatasetTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  static PrepareDataset prepare(String out, int numShards, double valFraction) throws Exception {
    ImageSource source = ImageSource.resolve(Fixtures.folder().toString(), ImageFormat.auto);
    return PrepareDataset.with(new PrepareDataset.Settings(source, out,
        new ImagePreprocessor(16, 1, PixelStorage.raw), 1L << 24, valFraction, 3, numShards, 1L << 27,
        "{\"test\":true}"));
  }

  static <T> List<T> readAvro(Path file, Class<T> type) throws Exception {
    List<T> out = new ArrayList<>();
    try (DataFileReader<T> r = new DataFileReader<>(file.toFile(), new SpecificDatumReader<>(type))) {
      r.forEach(out::add);
    }
    return out;
  }

  @Test
  public void writesReconcilingManifestShardsAndDeadLetters() throws Exception {
    String out = tmp.newFolder("prepared").toString();
    PCollection<String> manifestJson = p.apply(prepare(out, 2, 0.4));
    PAssert.thatSingleton(manifestJson).satisfies(json -> {
      assertThat(json, containsString("\"inputs\" : 13"));
      return null;
    });
    p.run().waitUntilFinish();

    DatasetManifest m = DatasetManifest.readFrom(out);
    // 13 files: 6 images (a-copy.bmp duplicates a.png), 7 bad ones.
    assertEquals(13, m.inputs());
    assertEquals(7, m.failed());
    assertEquals(1, m.duplicates());
    assertEquals(5, m.records());
    assertTrue(m.reconciles());
    assertEquals(List.of("top", "trouser"), m.classes());
    assertEquals(16, m.imageSize());
    assertEquals(1, m.channelMean().length);
    assertThat(m.config().toString(), containsString("test"));

    Set<String> ids = new HashSet<>();
    for (var split : m.splits().entrySet()) {
      List<DatasetManifest.Shard> shards = split.getValue().shards();
      long total = 0;
      long min = Long.MAX_VALUE;
      long max = 0;
      for (DatasetManifest.Shard s : shards) {
        List<Example> records = readAvro(Path.of(out, s.path()), Example.class);
        assertEquals(s.records(), records.size());
        assertEquals(s.bytes(), Files.size(Path.of(out, s.path())));
        for (Example e : records) {
          assertEquals(split.getKey(), e.getSplit());
          assertTrue(ids.add(e.getId()));
          if (e.getLabelName() != null) {
            assertEquals(e.getLabelName(), m.classes().get(e.getLabel()));
          } else {
            assertEquals(-1, e.getLabel());
          }
        }
        total += s.records();
        min = Math.min(min, s.records());
        max = Math.max(max, s.records());
      }
      assertEquals(split.getValue().records(), total);
      if (!shards.isEmpty()) {
        assertTrue(max - min <= 1);
      }
    }
    assertEquals(Set.of("top/a-copy.bmp", "top/b.jpg", "trouser/c.png", "trouser/d.gif", "root.png"), ids);

    List<FailedRecord> failed = readAvro(Path.of(out, "failed/failed-00000-of-00001.avro"), FailedRecord.class);
    assertEquals(7, failed.size());
    assertFalse(new File(out, ".pieces").exists() && new File(out, ".pieces").list().length > 0);
  }

  @Test
  public void cmykAndYcckJpegsBecomeColourRecordsNotDeadLetters() throws Exception {
    String out = tmp.newFolder("cmyk").toString();
    ImageSource source = ImageSource.resolve(Fixtures.cmykFolder().toString(), ImageFormat.auto);
    p.apply(PrepareDataset.with(new PrepareDataset.Settings(source, out,
        new ImagePreprocessor(16, 3, PixelStorage.raw), 1L << 24, 0.0, 3, 1, 1L << 27, "{}")));
    p.run().waitUntilFinish();

    DatasetManifest m = DatasetManifest.readFrom(out);
    assertEquals(4, m.inputs());
    assertEquals(0, m.failed());
    assertEquals(0, m.duplicates());
    assertEquals(4, m.records());
    assertTrue(m.reconciles());
    int seen = 0;
    for (DatasetManifest.Shard s : m.splits().get("train").shards()) {
      for (Example e : readAvro(Path.of(out, s.path()), Example.class)) {
        // The 32x32 fixtures shrink to 16x16: the M+Y ink quadrant is the top left 8x8, red, or
        // orange through the ICC profile of icc-cmyk.jpg (see ImageDecoderTest).
        byte[] pixels = new byte[e.getPixels().remaining()];
        e.getPixels().get(pixels);
        int i = 3 * (4 * 16 + 4);
        int r = pixels[i] & 0xff;
        int g = pixels[i + 1] & 0xff;
        int b = pixels[i + 2] & 0xff;
        boolean orange = e.getId().equals("icc-cmyk.jpg");
        assertTrue(e.getId() + " top left quadrant " + r + "," + g + "," + b,
            r > 180 && b < 90 && (orange ? g > 100 && g < 156 : g < 90));
        seen++;
      }
    }
    assertEquals(4, seen);
  }

  @Test
  public void rerunWritesByteIdenticalShards() throws Exception {
    List<Path> dirs = new ArrayList<>();
    for (int run = 0; run < 2; run++) {
      Path dir = tmp.newFolder("run" + run).toPath();
      Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner",
          "--targetParallelism=" + (run + 1)).create());
      pipeline.apply(prepare(dir.toString(), 3, 0.5));
      pipeline.run().waitUntilFinish();
      dirs.add(dir);
    }
    DatasetManifest a = DatasetManifest.readFrom(dirs.get(0).toString());
    DatasetManifest b = DatasetManifest.readFrom(dirs.get(1).toString());
    assertEquals(a.splits(), b.splits());
    for (var split : a.splits().values()) {
      for (DatasetManifest.Shard s : split.shards()) {
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(dirs.get(0).resolve(s.path())),
            Files.readAllBytes(dirs.get(1).resolve(s.path()))));
      }
    }
    p.run(); // the rule's pipeline is unused here
  }
}
