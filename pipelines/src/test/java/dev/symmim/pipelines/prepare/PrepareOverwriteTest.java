package dev.symmim.pipelines.prepare;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.symmim.pipelines.cli.Symmim;
import dev.symmim.pipelines.reliability.FaultRow;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.dataset.VerifiedShard;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code prepare --overwrite=true} replaces a dataset atomically: a reader polling the directory
 * throughout sees the old dataset or the new one (every shard its manifest names verifies), never
 * a mix; afterwards only the new dataset's files remain, and a killed run's leftovers are gone.
 */
public class PrepareOverwriteTest {
  static final String FIXTURES = Path.of("..", "transforms", "src", "test", "resources", "fixtures", "folder")
      .toAbsolutePath().normalize().toString();
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  static int prepare(Path out, int imageSize, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("prepare", "--runner=DirectRunner", "--input=" + FIXTURES,
        "--output=" + out, "--imageSize=" + imageSize));
    args.addAll(List.of(extra));
    return Symmim.run(args.toArray(String[]::new));
  }

  /** Reads the manifest and every shard it names; the dataset's image size, or -1 if a file vanished. */
  static int readWhole(Path dir) throws Exception {
    DatasetManifest m;
    try {
      m = DatasetManifest.readFrom(dir.toString());
    } catch (java.io.IOException e) {
      return -1;
    }
    for (DatasetManifest.Split s : m.splits().values()) {
      for (DatasetManifest.Shard shard : s.shards()) {
        Path file = dir.resolve(shard.path());
        if (!Files.exists(file)) {
          return -1; // the old dataset was removed after the switch: a clear miss, not a mix
        }
        // Throws when the bytes are not the ones this manifest names: that would be a mix.
        VerifiedShard.read(file.toString(), shard.sha256(), shard.records());
      }
    }
    return m.imageSize();
  }

  static Set<String> files(Path dir) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      return new TreeSet<>(s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).toList());
    }
  }

  @Test
  public void aReaderSeesTheOldDatasetOrTheNewOneNeverAMix() throws Exception {
    Path out = tmp.getRoot().toPath().resolve("prepared");
    assertEquals(0, prepare(out, 8));
    DatasetManifest old = DatasetManifest.readFrom(out.toString());
    assertTrue(old.splits().get("train").shards().get(0).path().startsWith("train/"));
    // What a killed replacement would leave: a half-written generation and stray pieces.
    Files.createDirectories(out.resolve("gen-dead/train"));
    Files.writeString(out.resolve("gen-dead/train/train-00000-of-00001.avro"), "half");
    Files.createDirectories(out.resolve(".pieces"));
    Files.writeString(out.resolve(".pieces/piece-1"), "stray");

    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger oldReads = new AtomicInteger();
    AtomicInteger newReads = new AtomicInteger();
    AtomicInteger misses = new AtomicInteger();
    List<Throwable> mixes = new ArrayList<>();
    Thread reader = new Thread(() -> {
      while (!done.get()) {
        try {
          int size = readWhole(out);
          (size == 8 ? oldReads : size == 16 ? newReads : misses).incrementAndGet();
        } catch (Throwable t) {
          synchronized (mixes) {
            mixes.add(t);
          }
        }
      }
    });
    reader.start();
    try {
      assertEquals(0, prepare(out, 16, "--overwrite=true"));
    } finally {
      done.set(true);
      reader.join();
    }
    assertEquals("reads that mixed datasets: " + mixes, List.of(), mixes);
    assertTrue("the reader saw the old dataset during the run", oldReads.get() > 0);
    assertEquals(16, readWhole(out));

    DatasetManifest now = DatasetManifest.readFrom(out.toString());
    String generation = DatasetGenerations.generationOf(now.splits().get("train").shards().get(0).path());
    assertTrue(generation, generation.startsWith("gen-") && !generation.equals("gen-dead/"));
    Set<String> expected = new TreeSet<>(Set.of("manifest.json"));
    now.splits().values().forEach(s -> s.shards().forEach(sh -> expected.add(sh.path())));
    expected.add(generation + "failed/failed-00000-of-00001.avro");
    assertEquals("only the new dataset's files remain", expected, files(out));
    assertFalse(Files.exists(out.resolve("train")));
    assertFalse(Files.exists(out.resolve("gen-dead")));

    // Replacing the replacement works the same way, and a plain rerun without --overwrite is refused.
    assertEquals(0, prepare(out, 8, "--overwrite=true"));
    assertEquals(8, readWhole(out));
    assertThrows(IllegalArgumentException.class, () -> prepare(out, 8));
    new FaultRow("prepare-overwrite-atomic", "`prepare --overwrite=true` while a reader reads the dataset",
        "a thread reading the manifest and verifying every shard it names, in a loop, during the replacement",
        "each read saw the old dataset or the new one", "nothing: no read mixed datasets; afterwards only the new "
            + "dataset's files remain (a killed run's leftovers removed)",
        "PrepareOverwriteTest.aReaderSeesTheOldDatasetOrTheNewOneNeverAMix",
        FaultRow.figures("readsOfOld", oldReads.get(), "readsOfNew", newReads.get(), "readsAfterRemoval", misses.get(),
            "mixed", 0)).record();
  }
}
