package dev.symmim.pipelines.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;

import dev.symmim.transforms.dataset.DatasetManifest;
import java.io.File;
import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class SymmimCliTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  static final String FIXTURES = Path.of("..", "transforms", "src", "test", "resources", "fixtures", "folder")
      .toAbsolutePath().normalize().toString();

  private String badFlag(String... args) {
    return assertThrows(IllegalArgumentException.class, () -> Symmim.run(args)).getMessage();
  }

  private String out() {
    return tmp.getRoot().toPath().resolve("out").toString();
  }

  @Test
  public void unknownCommandIsNamed() {
    assertThat(badFlag("prepair"), containsString("unknown command 'prepair'"));
  }

  @Test
  public void missingInputIsNamed() {
    assertThat(badFlag("prepare", "--output=" + out()), containsString("--input is required"));
  }

  @Test
  public void nonPositiveImageSizeIsNamed() {
    assertThat(badFlag("prepare", "--input=" + FIXTURES, "--output=" + out(), "--imageSize=0"),
        containsString("--imageSize=0: must be > 0"));
  }

  @Test
  public void valFractionOutsideRangeIsNamed() {
    assertThat(badFlag("prepare", "--input=" + FIXTURES, "--output=" + out(), "--valFraction=1"),
        containsString("--valFraction=1.0: must be in [0, 1)"));
  }

  @Test
  public void unknownFormatIsNamed() {
    assertThat(badFlag("prepare", "--input=" + FIXTURES, "--output=" + out(), "--format=jpeg"),
        containsString("--format=jpeg: must be one of auto, folder, idx, cifar"));
  }

  @Test
  public void missingInputPathIsNamedBeforeAnyWork() {
    String msg = badFlag("prepare", "--input=/no/such/dir", "--output=" + out());
    assertThat(msg, containsString("--input=/no/such/dir: no such file or directory"));
    assertFalse(new File(out()).exists());
  }

  @Test
  public void emptyDirectoryIsNamed() throws Exception {
    String empty = tmp.newFolder("empty").toString();
    assertThat(badFlag("prepare", "--input=" + empty, "--output=" + out()), containsString("no files match"));
  }

  @Test
  public void malformedFlagIsNamed() {
    assertThat(badFlag("prepare", "input=" + FIXTURES), containsString("flags are --name=value"));
  }

  @Test
  public void prepareRunsOnTheDirectRunnerThroughTheCli() throws Exception {
    assertEquals(0, Symmim.run(new String[] {"prepare", "--runner=DirectRunner", "--input=" + FIXTURES,
        "--output=" + out(), "--imageSize=8", "--channels=3", "--storage=png"}));
    DatasetManifest m = DatasetManifest.readFrom(out());
    assertEquals(13, m.inputs());
    assertEquals(7, m.failed());
    assertEquals(1, m.duplicates());
    assertEquals(3, m.channels());
    assertEquals("png", m.storage());
    assertEquals("folder", m.config().get("format").asText());
  }

  @Test
  public void aUserErrorDeepInAJobIsOneLineWithExitTwoAndABugIsExitOne() {
    java.io.PrintStream err = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(captured, true));
    try {
      Exception wrapped = new RuntimeException("Job execution failed.", new IllegalStateException("worker",
          new IllegalArgumentException("shard x.avro has sha256 a but the dataset manifest says b")));
      assertEquals(2, Symmim.report(wrapped, false));
      assertEquals(1, Symmim.report(new RuntimeException(new java.io.IOException("disk full")), false));
      assertEquals(1, Symmim.report(new RuntimeException("Job failed", new OutOfMemoryError("Java heap space")), false));
    } finally {
      System.setErr(err);
    }
    String[] lines = captured.toString().strip().split("\n");
    assertEquals(3, lines.length);
    assertThat(lines[2], containsString("symmim: failed: out of memory (Java heap space) with a Java heap of "));
    assertThat(lines[2], containsString("SYMMIM_JAVA_OPTS=-Xmx<size>"));
    assertEquals("symmim: error: shard x.avro has sha256 a but the dataset manifest says b", lines[0]);
    assertThat(lines[1], containsString("symmim: failed: java.io.IOException: disk full (--verbose prints"));
  }

  @Test
  public void flinksParagraphOnDirectMemoryIsCutToItsFirstSentence() {
    String flink = "Could not allocate enough memory segments for NetworkBufferPool (required (MB): 64, allocated (MB): "
        + "63, missing (MB): 1). Cause: Direct buffer memory. The direct out-of-memory error has occurred. This can "
        + "mean two things: either job(s) require(s) a larger size of JVM direct memory or there is a direct memory leak.";
    assertEquals("Could not allocate enough memory segments for NetworkBufferPool (required (MB): 64, allocated (MB): "
        + "63, missing (MB): 1). Direct buffer memory", Symmim.oomReason(flink));
    assertEquals("Java heap space", Symmim.oomReason("Java heap space"));
    assertEquals("no detail", Symmim.oomReason(null));
  }

  @Test
  public void anUnknownFlagNamesTheClosestKnownOnes() {
    assertThat(badFlag("prepare", "--input=" + FIXTURES, "--output=" + out(), "--imagesize=8"),
        containsString("--imagesize: unknown flag; did you mean --imageSize?"));
  }

  @Test
  public void aFlagGivenTwiceIsRefusedWithBothValues() {
    assertThat(badFlag("prepare", "--input=" + FIXTURES, "--output=" + out(), "--imageSize=8", "--imageSize=16"),
        containsString("--imageSize is given twice (8 and 16); give it once"));
  }

  @Test
  public void prepareRefusesToWriteOverADatasetUnlessToldTo() throws Exception {
    assertEquals(0, Symmim.run(new String[] {"prepare", "--runner=DirectRunner", "--input=" + FIXTURES,
        "--output=" + out(), "--imageSize=8"}));
    assertThat(badFlag("prepare", "--runner=DirectRunner", "--input=" + FIXTURES, "--output=" + out(), "--imageSize=8"),
        containsString("already holds a prepared dataset"));
    assertEquals(0, Symmim.run(new String[] {"prepare", "--runner=DirectRunner", "--input=" + FIXTURES,
        "--output=" + out(), "--imageSize=8", "--overwrite"}));
    assertFalse("the lock is released", new File(out(), ".symmim.lock").exists());
  }
}
