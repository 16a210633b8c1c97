package dev.symmim.pipelines.reliability;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.symmim.pipelines.SymmimProcess;
import dev.symmim.transforms.dataset.DatasetManifest;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.AfterClass;
import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The fault suite behind docs/reliability.md: each test causes one fault a user can meet, through
 * {@code bin/symmim} as the user runs it, checks what the user sees (one line on stderr, the exit
 * status) and that nothing committed was lost, then records the row ({@link FaultRow}). The full
 * disk tests mount small tmpfs file systems and are skipped where mounting is not allowed.
 */
public class ReliabilityIT {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();
  static Path work;
  static Path data;
  static Path base;
  static final List<Path> MOUNTS = new ArrayList<>();
  static final String TEST = ReliabilityIT.class.getSimpleName() + ".";
  /** The runs' length: 6 epochs of 4 steps. */
  static final int EPOCHS = 6;

  @BeforeClass
  public static void prepareAndPretrain() throws Exception {
    work = TMP.newFolder("work").toPath();
    data = TMP.getRoot().toPath().resolve("data");
    SymmimProcess.run(Map.of(), "prepare", "--input=" + SymmimProcess.repo().resolve("data/fashion-mnist-subset"),
        "--output=" + data);
    base = TMP.getRoot().toPath().resolve("base");
    Cli.Result r = Cli.run(work, pretrain(base, EPOCHS));
    assertEquals(r.all(), 0, r.exit());
  }

  @AfterClass
  public static void unmount() throws Exception {
    for (Path m : MOUNTS) {
      new ProcessBuilder("umount", "-l", m.toString()).inheritIO().start().waitFor();
    }
  }

  /** A tiny deterministic pretrain run: 4 steps an epoch, a checkpoint every 2 steps. */
  static String[] pretrain(Path output, int epochs, String... extra) {
    List<String> a = new ArrayList<>(List.of("pretrain", "--data=" + data, "--output=" + output, "--dim=32",
        "--depth=1", "--heads=2", "--headHidden=64", "--headOut=32", "--maxImages=128", "--batchSize=32",
        "--epochs=" + epochs, "--checkpointEverySteps=2", "--device=cpu", "--deterministic=true", "--seed=3",
        "--loaderThreads=1"));
    a.addAll(List.of(extra));
    return a.toArray(String[]::new);
  }

  static Path latest(Path run) throws IOException {
    return run.resolve("checkpoints").resolve(Files.readString(run.resolve("checkpoints/LATEST")).strip());
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path q = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(q);
        } else {
          Files.copy(p, q, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  static void flipByte(Path file, long at) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x5a);
    }
  }

  // ---- flags

  void refusedFlag(String id, String flag, String expected) throws Exception {
    Path out = work.resolve(id);
    Cli.Result r = Cli.run(work, "pretrain", "--data=" + data, "--output=" + out, flag);
    assertEquals(r.all(), 2, r.exit());
    String line = r.oneLine();
    assertThat(line, startsWith("symmim: error: " + expected));
    assertFalse("nothing written", Files.exists(out));
    FaultRow.record(id, "a bad flag value: `pretrain " + flag + "`", "the flag on the command line", "`" + line
        + "` (exit 2, before any work)", "nothing: no output directory was created", TEST + "badFlagsAreOneLine");
  }

  @Test
  public void badFlagsAreOneLine() throws Exception {
    refusedFlag("flag-batch-size-abc", "--batchSize=abc", "--batchSize=abc: not an integer");
    refusedFlag("flag-batch-size-0", "--batchSize=0", "--batchSize=0: must be >= 2");
    refusedFlag("flag-temperature-0", "--contrastiveTemperature=0", "--contrastiveTemperature=0.0: must be > 0");
  }

  // ---- data and checkpoints

  @Test
  public void aModifiedShardIsRefusedNamingTheFile() throws Exception {
    Path copy = work.resolve("tampered-data");
    copyTree(data, copy);
    DatasetManifest m = DatasetManifest.readFrom(copy.toString());
    Path shard = copy.resolve(m.splits().get("train").shards().get(0).path());
    flipByte(shard, Files.size(shard) / 2);
    Path out = work.resolve("on-tampered");
    Cli.Result r = Cli.run(work, "pretrain", "--data=" + copy, "--output=" + out, "--dim=32", "--depth=1",
        "--heads=2", "--headHidden=64", "--headOut=32", "--maxImages=128", "--batchSize=32", "--epochs=1");
    assertEquals(r.all(), 2, r.exit());
    String line = r.oneLine();
    assertThat(line, startsWith("symmim: error: "));
    assertThat(line, containsString(shard.getFileName().toString()));
    assertThat(line, containsString(m.splits().get("train").shards().get(0).sha256()));
    assertFalse("no checkpoint was committed", Files.exists(out.resolve("checkpoints/LATEST")));
    FaultRow.record("modified-shard", "a shard modified after prepare", "one byte of a train shard flipped",
        "`" + line.replace(copy.toString(), "<data>") + "` (exit 2)",
        "nothing: no checkpoint committed from the bad data; the dataset is left for the user to re-prepare",
        TEST + "aModifiedShardIsRefusedNamingTheFile");
  }

  @Test
  public void aModifiedNewestCheckpointIsSkippedAndTheRunEndsIdentical() throws Exception {
    Path run = work.resolve("flipped");
    copyTree(base, run);
    Path newest = latest(run);
    Path tensors = newest.resolve("tensors.bin");
    flipByte(tensors, Files.size(tensors) / 3);
    long t0 = System.nanoTime();
    Cli.Result r = Cli.run(work, pretrain(run, EPOCHS));
    assertEquals(r.all(), 0, r.exit());
    assertThat(r.err(), containsString(newest.getFileName().toString()));
    String warning = r.err().lines().filter(l -> l.contains(" WARN ") && l.contains(newest.getFileName().toString()))
        .findFirst().orElseThrow(() -> new AssertionError("no warning names the damaged checkpoint:\n" + r.all()));
    assertArrayEquals("the run ends with the uninterrupted run's bytes",
        Files.readAllBytes(latest(base).resolve("tensors.bin")), Files.readAllBytes(latest(run).resolve("tensors.bin")));
    FaultRow.record("modified-checkpoint", "the newest checkpoint modified (bit flip) before a resume",
        "one byte of its tensors.bin flipped; the same pretrain command run again",
        "`" + warning.replaceFirst("^\\S+ ", "").replace(run.toString(), "<run>")
            + "`, then it resumes from the newest intact checkpoint (exit 0)",
        "nothing: the run ends byte-identical to an uninterrupted one", TEST
            + "aModifiedNewestCheckpointIsSkippedAndTheRunEndsIdentical");
  }

  @Test
  public void aTruncatedCheckpointIsRefusedByEmbedNamingTheFile() throws Exception {
    Path run = work.resolve("truncated");
    copyTree(base, run);
    Path newest = latest(run);
    Path tensors = newest.resolve("tensors.bin");
    try (RandomAccessFile f = new RandomAccessFile(tensors.toFile(), "rw")) {
      f.setLength(f.length() / 2);
    }
    Path out = work.resolve("embed-truncated");
    Cli.Result r = Cli.run(work, "embed", "--data=" + data, "--checkpoint=" + newest, "--output=" + out);
    assertEquals(r.all(), 2, r.exit());
    String line = r.oneLine();
    assertThat(line, containsString("tensors.bin"));
    assertFalse("no embeddings written", Files.exists(out.resolve("manifest.json")));
    FaultRow.record("truncated-checkpoint", "a truncated checkpoint given to embed",
        "its tensors.bin cut to half; `embed --checkpoint=<that checkpoint>`",
        "`" + line.replace(run.toString(), "<run>") + "` (exit 2); given the run directory, embed uses the newest "
            + "intact checkpoint and warns", "nothing: no embeddings manifest written",
        TEST + "aTruncatedCheckpointIsRefusedByEmbedNamingTheFile");
  }

  // ---- writers

  /** Waits until the running {@code pretrain} {@code p} has logged {@code steps} steps; fails if it ended first. */
  static void waitForSteps(Path run, int steps, Process p, Path log) throws Exception {
    SymmimProcess.awaitLines(p, run.resolve("metrics.jsonl"), steps, log);
    assertTrue("ended before step " + steps + ":\n" + Files.readString(log), p.isAlive());
  }

  @Test
  public void aSecondWriterIsRefusedAndAKilledWritersLockIsTakenOver() throws Exception {
    // The first run, uninterrupted, while a second command tries the same directory.
    Path run = work.resolve("busy");
    Path log = work.resolve("busy.log");
    Process first = SymmimProcess.start(log, List.of(pretrain(run, 400))); // 1,600 steps (~40 s): a second JVM starts well before the end
    waitForSteps(run, 1, first, log);
    Cli.Result second = Cli.run(work, pretrain(run, 400));
    assertEquals(second.all(), 2, second.exit());
    String line = second.oneLine();
    assertThat(line, containsString("is being written by another symmim command"));
    assertThat(line, containsString("pid " + first.pid()));
    assertEquals(Files.readString(log), 0, first.waitFor());
    assertThat(Files.readString(log), containsString("pretrain: done"));
    FaultRow.record("second-writer", "a second command writing a run directory in use",
        "`pretrain` started twice into one --output, the second while the first trains",
        "`" + line.replace(run.toString(), "<run>") + "` (exit 2)",
        "nothing: the first run finishes normally", TEST + "aSecondWriterIsRefusedAndAKilledWritersLockIsTakenOver");

    // A run SIGKILLed mid-way leaves its lock; the same command takes it over, resumes and ends identical.
    Path killed = work.resolve("killed");
    Path killedLog = work.resolve("killed.log");
    Process p = SymmimProcess.start(killedLog, List.of(pretrain(killed, EPOCHS)));
    waitForSteps(killed, 9, p, killedLog);
    p.destroyForcibly();
    p.waitFor();
    assertTrue("the lock is left behind", Files.exists(killed.resolve(".symmim.lock")));
    Cli.Result again = Cli.run(work, pretrain(killed, EPOCHS));
    assertEquals(again.all(), 0, again.exit());
    String takeover = again.err().lines().filter(l -> l.contains("taking over the lock")).findFirst()
        .orElseThrow(() -> new AssertionError("no take-over message:\n" + again.all()));
    assertArrayEquals("the resumed run ends with the uninterrupted run's bytes",
        Files.readAllBytes(latest(base).resolve("tensors.bin")), Files.readAllBytes(latest(killed).resolve("tensors.bin")));
    FaultRow.record("stale-lock", "a writer killed (SIGKILL) mid-run, leaving its lock",
        "`pretrain` SIGKILLed after 9 of 24 steps; the same command run again",
        "`" + takeover.replaceFirst("^\\S+ ", "").replace(killed.toString(), "<run>") + "`, then it resumes (exit 0)",
        "nothing committed: the run ends byte-identical to an uninterrupted one",
        TEST + "aSecondWriterIsRefusedAndAKilledWritersLockIsTakenOver");
  }

  @Test
  public void prepareIntoADatasetIsRefusedWithoutOverwrite() throws Exception {
    byte[] before = Files.readAllBytes(data.resolve("manifest.json"));
    Cli.Result r = Cli.run(work, "prepare", "--input=" + SymmimProcess.repo().resolve("data/fashion-mnist-subset"),
        "--output=" + data);
    assertEquals(r.all(), 2, r.exit());
    String line = r.oneLine();
    assertThat(line, containsString("already holds a prepared dataset"));
    assertArrayEquals(before, Files.readAllBytes(data.resolve("manifest.json")));
    FaultRow.record("prepare-over-dataset", "`prepare` into a directory that holds a dataset",
        "the same prepare command run twice", "`" + line.replace(data.toString(), "<data>") + "` (exit 2)",
        "nothing: the dataset is unchanged (with --overwrite=true it is replaced atomically: PrepareOverwriteTest)",
        TEST + "prepareIntoADatasetIsRefusedWithoutOverwrite");
  }

  @Test
  public void corruptImagesBecomeDeadLettersAndReconcile() throws Exception {
    Path out = work.resolve("corrupt");
    Cli.Result r = Cli.run(work, "prepare", "--input=" + SymmimProcess.repo().resolve(
        "transforms/src/test/resources/fixtures/folder"), "--output=" + out, "--imageSize=8");
    assertEquals(r.all(), 0, r.exit());
    DatasetManifest m = DatasetManifest.readFrom(out.toString());
    assertTrue(m.failed() > 0);
    assertTrue(m.reconciles());
    assertThat(r.out(), containsString("prepare: dead letters (source, stage, reason) "
        + out.resolve("failed/failed-00000-of-00001.avro")));
    String summary = r.out().lines().filter(l -> l.startsWith("prepare: ") && l.contains(" inputs -> ")).findFirst()
        .orElseThrow();
    new FaultRow("corrupt-images", "corrupt, empty or non-image files among the inputs",
        "the test fixtures' bad/ folder (truncated PNG, empty file, text named .jpg, ...)",
        "`" + summary.replaceFirst(" in [0-9.]+ s.*", "") + "`; each failure a dead letter with its reason",
        "nothing: inputs = records + dead letters + duplicates", TEST + "corruptImagesBecomeDeadLettersAndReconcile",
        FaultRow.figures("inputs", m.inputs(), "deadLetters", m.failed())).record();
  }

  @Test
  public void tooSmallAHeapNamesTheSetting() throws Exception {
    Path out = work.resolve("small-heap");
    Cli.Result r = Cli.run(Map.of("SYMMIM_JAVA_OPTS", "-Xmx48m"), work, pretrain(out, EPOCHS));
    assertEquals(r.all(), 1, r.exit());
    String line = r.oneLine();
    assertThat(line, containsString("out of memory"));
    assertThat(line, containsString("SYMMIM_JAVA_OPTS=-Xmx<size>"));
    assertFalse("no checkpoint beyond the start", Files.exists(out.resolve("checkpoints/step-00000002")));
    FaultRow.record("heap-too-small", "a Java heap too small for the job", "`SYMMIM_JAVA_OPTS=-Xmx48m` for pretrain",
        "`" + line + "` (exit 1)", "nothing: no checkpoint claims steps that were not trained",
        TEST + "tooSmallAHeapNamesTheSetting");
  }

  // ---- full disks

  /** A tmpfs of {@code kib} KiB at a new directory; skips the test where mounting is not allowed. */
  static Path smallDisk(String name, int kib) throws Exception {
    Path dir = TMP.newFolder(name).toPath();
    Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + kib + "k", "tmpfs", dir.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    Assume.assumeTrue("cannot mount a tmpfs here (" + out.strip() + "); full-disk tests skipped", p.waitFor() == 0);
    MOUNTS.add(dir);
    return dir;
  }

  static void resize(Path mount, int kib) throws Exception {
    assertEquals(0, new ProcessBuilder("mount", "-o", "remount,size=" + kib + "k", mount.toString()).inheritIO()
        .start().waitFor());
  }

  /**
   * Runs a command whose --output is {@code output}, on a full disk: checks the one line, and that
   * {@code commitFile} (the file that would claim success) was not written. Returns the line.
   */
  static String failsLeavingNo(String commitFile, Path output, String... args) throws Exception {
    String line = diskFullLine(Cli.run(work, args), output);
    assertFalse("no " + commitFile + " claims success", Files.exists(output.resolve(commitFile)));
    return line;
  }

  static String diskFullLine(Cli.Result r, Path output) {
    assertEquals(r.all(), 1, r.exit());
    String line = r.oneLine();
    assertThat(line, startsWith("symmim: failed: no space left on device writing under --output=" + output));
    return line.replace(output.toString(), "<out>").replaceFirst(" \\(--verbose.*", "");
  }

  @Test
  public void aFullDiskDuringPrepareWritesNoManifest() throws Exception {
    Path disk = smallDisk("disk-prepare", 512);
    Path out = disk.resolve("prepared");
    String line = failsLeavingNo("manifest.json", out, "prepare", "--input=" + SymmimProcess.repo().resolve(
        "data/fashion-mnist-subset"), "--output=" + out);
    FaultRow.record("disk-full-prepare", "the disk fills while `prepare` writes shards",
        "--output on a 512 KiB tmpfs (the dataset needs 4 MiB)", "`" + line + "` (exit 1)",
        "nothing: no manifest, so no later stage accepts the partial shards; the next prepare removes them",
        TEST + "aFullDiskDuringPrepareWritesNoManifest");
  }

  @Test
  public void aFullDiskDuringPretrainKeepsTheLastCheckpointAndResumesIdentical() throws Exception {
    Path disk = smallDisk("disk-pretrain", 1200);
    Path run = disk.resolve("run");
    Cli.Result r = Cli.run(work, pretrain(run, EPOCHS));
    String line = diskFullLine(r, run);
    String committed = Files.readString(run.resolve("checkpoints/LATEST")).strip();
    resize(disk, 16 << 10);
    Cli.Result again = Cli.run(work, pretrain(run, EPOCHS));
    assertEquals(again.all(), 0, again.exit());
    assertArrayEquals("the resumed run ends with the uninterrupted run's bytes",
        Files.readAllBytes(latest(base).resolve("tensors.bin")), Files.readAllBytes(latest(run).resolve("tensors.bin")));
    FaultRow.record("disk-full-checkpoint", "the disk fills while `pretrain` writes a checkpoint",
        "--output on a 1.2 MiB tmpfs (three checkpoints need 1.3 MiB); then the disk grown and the command re-run",
        "`" + line + "` (exit 1); the re-run resumes from " + committed,
        "nothing committed: the run ends byte-identical to an uninterrupted one",
        TEST + "aFullDiskDuringPretrainKeepsTheLastCheckpointAndResumesIdentical");
  }

  @Test
  public void aFullDiskDuringEmbedAndIndexWritesNoManifest() throws Exception {
    Path disk = smallDisk("disk-embed", 256);
    Path out = disk.resolve("embeddings");
    String line = failsLeavingNo("manifest.json", out, "embed", "--data=" + data, "--checkpoint=" + base,
        "--output=" + out);
    FaultRow.record("disk-full-embed", "the disk fills while `embed` writes embeddings",
        "--output on a 256 KiB tmpfs (6,000 embeddings need about 2 MiB)", "`" + line + "` (exit 1)",
        "nothing: no embeddings manifest, so index and evaluate refuse the directory",
        TEST + "aFullDiskDuringEmbedAndIndexWritesNoManifest");

    Path embeddings = work.resolve("embeddings");
    Cli.Result e = Cli.run(work, "embed", "--data=" + data, "--checkpoint=" + base, "--output=" + embeddings);
    assertEquals(e.all(), 0, e.exit());
    Path indexDisk = smallDisk("disk-index", 256);
    Path index = indexDisk.resolve("index");
    String indexLine = failsLeavingNo("index.json", index, "index", "--embeddings=" + embeddings, "--output=" + index);
    FaultRow.record("disk-full-index", "the disk fills while `index` writes the Lucene shards",
        "--output on a 256 KiB tmpfs", "`" + indexLine + "` (exit 1)",
        "nothing: no index.json, so search refuses the directory", TEST + "aFullDiskDuringEmbedAndIndexWritesNoManifest");
  }
}
