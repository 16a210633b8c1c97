package dev.symmim.transforms.images;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;

import dev.symmim.schemas.Example;
import dev.symmim.schemas.FailedRecord;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.junit.Rule;
import org.junit.Test;

public class ReadImagesTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  @Test
  public void goodFilesBecomeExamplesAndEachBadFileADeadLetterWithItsReason() throws Exception {
    ImageSource source = ImageSource.resolve(Fixtures.folder().toString(), ImageFormat.auto);
    assertEquals(ImageFormat.folder, source.format());
    WithFailures.Result<PCollection<Example>, FailedRecord> read =
        p.apply(ReadImages.from(source).withPreprocessor(new ImagePreprocessor(16, 3, PixelStorage.raw)));

    PAssert.that(read.output()).satisfies(examples -> {
      List<String> seen = new ArrayList<>();
      for (Example e : examples) {
        seen.add(e.getId() + "=" + e.getLabelName());
        assertEquals(16, e.getHeight());
        assertEquals(16, e.getWidth());
        assertEquals(3, e.getChannels());
        assertEquals(16 * 16 * 3, e.getPixels().remaining());
        assertEquals("", e.getSplit());
      }
      assertThat(seen, containsInAnyOrder("top/a.png=top", "top/a-copy.bmp=top", "top/b.jpg=top",
          "trouser/c.png=trouser", "trouser/d.gif=trouser", "root.png=null"));
      return null;
    });
    PAssert.that(read.failures()).satisfies(failures -> {
      List<String> seen = new ArrayList<>();
      for (FailedRecord f : failures) {
        assertEquals("decode", f.getStage());
        String file = f.getSource().substring(f.getSource().indexOf("/bad/") + 5);
        seen.add(file + ":" + f.getMessage().substring(0, f.getMessage().indexOf(':')));
        if (!file.equals("empty.png")) {
          assertThat(f.getContentHash(), org.hamcrest.Matchers.matchesPattern("[0-9a-f]{64}"));
        }
      }
      assertThat(seen, containsInAnyOrder("empty.png:empty", "truncated.png:corrupt", "truncated.jpg:corrupt",
          "corrupt.jpg:corrupt", "notes.txt:unsupported", "image.webp:unsupported", "bomb.png:too-large"));
      return null;
    });
    p.run().waitUntilFinish();
  }

  @org.junit.Rule public final org.junit.rules.TemporaryFolder tmp = new org.junit.rules.TemporaryFolder();

  @Test
  public void idxRecordsCarryLabelsSplitAndATruncatedFileLeavesOneDeadLetter() throws Exception {
    java.nio.file.Path dir = tmp.newFolder("idx").toPath();
    java.nio.file.Files.write(dir.resolve("train-images-idx3-ubyte.gz"),
        IdxAndCifarFileTest.gzip(IdxAndCifarFileTest.idxImages(4, 3, 3)));
    java.nio.file.Files.write(dir.resolve("train-labels-idx1-ubyte.gz"),
        IdxAndCifarFileTest.gzip(IdxAndCifarFileTest.idxLabels(1, 0, 1, 2)));
    byte[] test = IdxAndCifarFileTest.idxImages(3, 3, 3);
    java.nio.file.Files.write(dir.resolve("t10k-images-idx3-ubyte"), java.util.Arrays.copyOf(test, test.length - 1));
    java.nio.file.Files.writeString(dir.resolve("classes.txt"), "zero\none\ntwo\n");
    ImageSource source = ImageSource.resolve(dir.toString(), ImageFormat.auto);
    assertEquals(ImageFormat.idx, source.format());
    WithFailures.Result<PCollection<Example>, FailedRecord> read = p.apply(ReadImages.from(source));
    PAssert.that(read.output()).satisfies(examples -> {
      List<String> seen = new ArrayList<>();
      for (Example e : examples) {
        seen.add(e.getId() + " " + e.getSplit() + " " + e.getLabelName() + " " + e.getLabel());
      }
      assertThat(seen, containsInAnyOrder("train-images-idx3-ubyte#0 train one 1",
          "train-images-idx3-ubyte#1 train zero 0", "train-images-idx3-ubyte#2 train one 1",
          "train-images-idx3-ubyte#3 train two 2", "t10k-images-idx3-ubyte#0 val null -1",
          "t10k-images-idx3-ubyte#1 val null -1"));
      return null;
    });
    PAssert.that(read.failures()).satisfies(failures -> {
      FailedRecord f = failures.iterator().next();
      assertEquals("read-idx", f.getStage());
      assertThat(f.getMessage(), startsWith("truncated: file ends at record 2 of 3"));
      assertEquals(1, com.google.common.collect.Iterables.size(failures));
      return null;
    });
    p.run().waitUntilFinish();
  }

  @Test
  public void cifarBatchesUseTheirMetaClassNames() throws Exception {
    java.nio.file.Path dir = tmp.newFolder("cifar").toPath();
    java.nio.file.Files.write(dir.resolve("data_batch_1.bin"), IdxAndCifarFileTest.cifar10(3));
    java.nio.file.Files.write(dir.resolve("test_batch.bin"), IdxAndCifarFileTest.cifar10(2));
    java.nio.file.Files.writeString(dir.resolve("batches.meta.txt"), "airplane\nautomobile\nbird\n");
    ImageSource source = ImageSource.resolve(dir.toString(), ImageFormat.auto);
    assertEquals(ImageFormat.cifar, source.format());
    WithFailures.Result<PCollection<Example>, FailedRecord> read =
        p.apply(ReadImages.from(source).withPreprocessor(new ImagePreprocessor(32, 3, PixelStorage.raw)));
    PAssert.that(read.output()).satisfies(examples -> {
      List<String> seen = new ArrayList<>();
      for (Example e : examples) {
        seen.add(e.getId() + " " + e.getSplit() + " " + e.getLabelName());
        byte[] px = ImagePreprocessor.bytesOf(e.getPixels());
        assertEquals(10, px[0]);
        assertEquals(20, px[1]);
        assertEquals(30, px[2]);
      }
      assertThat(seen, containsInAnyOrder("data_batch_1.bin#00000 train airplane",
          "data_batch_1.bin#00001 train automobile", "data_batch_1.bin#00002 train bird",
          "test_batch.bin#00000 val airplane", "test_batch.bin#00001 val automobile"));
      return null;
    });
    PAssert.that(read.failures()).empty();
    p.run().waitUntilFinish();
  }

  @Test
  public void pngStorageRoundTripsToTheRawPixels() throws Exception {
    ImageSource source = ImageSource.resolve(Fixtures.folder().resolve("top").toString(), ImageFormat.folder);
    PCollection<Example> png = p.apply(ReadImages.from(source)
        .withPreprocessor(new ImagePreprocessor(20, 1, PixelStorage.png))).output();
    PAssert.that(png).satisfies(examples -> {
      ImagePreprocessor hasher = new ImagePreprocessor(20, 1, PixelStorage.raw);
      int n = 0;
      for (Example e : examples) {
        try {
          RasterImage raw = ImagePreprocessor.rawPixels(e);
          assertEquals(e.getContentHash(), hasher.sha256Hex(raw.pixels()));
          assertThat(new String(ImagePreprocessor.bytesOf(e.getPixels()), 1, 3,
              java.nio.charset.StandardCharsets.US_ASCII), startsWith("PNG"));
        } catch (Exception ex) {
          throw new AssertionError(ex);
        }
        n++;
      }
      assertEquals(3, n);
      return null;
    });
    p.run().waitUntilFinish();
  }
}
