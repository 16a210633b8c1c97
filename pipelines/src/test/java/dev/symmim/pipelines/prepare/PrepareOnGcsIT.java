package dev.symmim.pipelines.prepare;

import dev.symmim.transforms.io.Locations;
import dev.symmim.transforms.io.Sha256;
import dev.symmim.pipelines.SymmimProcess;

import dev.symmim.pipelines.cli.Symmim;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.symmim.schemas.Example;
import dev.symmim.testing.gcs.GcsServer;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.dataset.DatasetPaths;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.util.MimeTypes;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code symmim prepare} with input and output on gs:// (the test GCS server of testing/gcs-server,
 * through {@code --gcsEndpoint}) on the embedded Flink runner, on the shipped Fashion-MNIST subset:
 * the same manifest counts and the same records in the same shards as a run on local disk (only
 * each record's {@code source} URI differs, so the shard bytes do too), and byte-identical shards
 * when 10% of the server's calls fail (503 or a dropped connection).
 */
public class PrepareOnGcsIT {
  static final Path SUBSET = SymmimProcess.repo().resolve("data/fashion-mnist-subset");

  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  static final String GCS_INPUT = "gs://symmim-input/fashion-mnist-subset";
  static final String GCS_OUTPUT = "gs://symmim-output/fault-free";

  private static GcsServer gcs;
  private static String localOutput;
  private static DatasetManifest local;
  private static DatasetManifest onGcs;

  @BeforeClass
  public static void uploadInputAndPrepareLocally() throws Exception {
    gcs = GcsServer.start(0);
    FileSystems.setDefaultPipelineOptions(Symmim.parse(gcsFlags(), PipelineOptions.class));
    List<Path> files;
    try (Stream<Path> s = Files.list(SUBSET)) {
      files = s.filter(f -> !f.getFileName().toString().equals("README.md")).sorted().toList();
    }
    for (Path f : files) {
      try (OutputStream out = Channels.newOutputStream(FileSystems.create(
          FileSystems.matchNewResource(GCS_INPUT + "/" + f.getFileName(), false),
          MimeTypes.BINARY))) {
        Files.copy(f, out);
      }
    }
    localOutput = TMP.newFolder("local").toString();
    local = prepare(SUBSET.toString(), localOutput);
    onGcs = prepare(GCS_INPUT, GCS_OUTPUT);
  }

  @AfterClass
  public static void stopServer() {
    if (gcs != null) {
      gcs.close();
    }
  }

  static String[] gcsFlags(String... more) {
    List<String> flags = new ArrayList<>(List.of("--gcsEndpoint=" + gcs.endpoint()));
    flags.addAll(List.of(more));
    return flags.toArray(new String[0]);
  }

  static DatasetManifest prepare(String input, String output) throws Exception {
    assertEquals(0, Symmim.run(Stream.concat(Stream.of("prepare"), Stream.of(gcsFlags(
        "--input=" + input, "--output=" + output, "--numShards=3", "--parallelism=2"))).toArray(String[]::new)));
    return DatasetManifest.readFrom(output);
  }

  @Test
  public void gcsInputAndOutputGiveTheLocalRunsRecords() throws Exception {
    assertEquals(6000, local.inputs());
    assertSameCounts(local, onGcs);
    assertShardHashes(onGcs, GCS_OUTPUT);
    for (String split : local.splits().keySet()) {
      List<DatasetManifest.Shard> localShards = local.splits().get(split).shards();
      List<DatasetManifest.Shard> gcsShards = onGcs.splits().get(split).shards();
      assertEquals(localShards.size(), gcsShards.size());
      for (int i = 0; i < localShards.size(); i++) {
        List<Example> fromDisk = records(DatasetPaths.resolve(localOutput, localShards.get(i).path()).toString());
        List<Example> fromGcs = records(DatasetPaths.resolve(GCS_OUTPUT, gcsShards.get(i).path()).toString());
        assertEquals(localShards.get(i).records(), fromGcs.size());
        for (int r = 0; r < fromGcs.size(); r++) {
          Example expected = Example.newBuilder(fromDisk.get(r)).build();
          String file = expected.getSource().substring(expected.getSource().lastIndexOf('/') + 1);
          expected.setSource(GCS_INPUT + "/" + file);
          assertEquals(expected, fromGcs.get(r));
        }
      }
    }
  }

  @Test
  public void tenPercentOfCallsFailingChangesNothing() throws Exception {
    String out = "gs://symmim-output/faulty";
    gcs.injectFaults(0.1, 42);
    DatasetManifest m;
    try {
      m = prepare(GCS_INPUT + "/*", out);
    } finally {
      GcsServer.FaultCounts counts = gcs.faultCounts();
      gcs.injectFaults(0, 0);
      System.out.println("PrepareOnGcsIT: injected " + counts);
      assertTrue(counts.toString(), counts.unavailable() > 0 && counts.resets() > 0);
    }
    assertSameCounts(onGcs, m);
    assertEquals(shards(onGcs), shards(m));
    assertShardHashes(m, out);
  }

  private static void assertSameCounts(DatasetManifest expected, DatasetManifest m) {
    assertTrue(m.reconciles());
    assertEquals(expected.inputs(), m.inputs());
    assertEquals(expected.failed(), m.failed());
    assertEquals(expected.duplicates(), m.duplicates());
    assertEquals(expected.classes(), m.classes());
    assertEquals(expected.splits().keySet(), m.splits().keySet());
    for (String split : expected.splits().keySet()) {
      assertEquals(split, expected.splits().get(split).records(), m.splits().get(split).records());
      assertEquals(split, expected.splits().get(split).classCounts(), m.splits().get(split).classCounts());
    }
  }

  /** Each shard on gs:// has the sha256 and record count its manifest says. */
  private static void assertShardHashes(DatasetManifest m, String out) throws Exception {
    for (DatasetManifest.Split split : m.splits().values()) {
      for (DatasetManifest.Shard s : split.shards()) {
        String path = DatasetPaths.resolve(out, s.path()).toString();
        assertEquals(s.path(), s.sha256(), sha256(path));
        assertEquals(s.path(), s.records(), records(path).size());
      }
    }
  }

  private static List<Example> records(String path) throws Exception {
    List<Example> out = new ArrayList<>();
    try (InputStream in = Channels.newInputStream(FileSystems.open(FileSystems.matchNewResource(path, false)));
        DataFileStream<Example> avro = new DataFileStream<>(in, new SpecificDatumReader<>(Example.class))) {
      avro.forEach(out::add);
    }
    return out;
  }

  private static Map<String, String> shards(DatasetManifest m) {
    Map<String, String> out = new TreeMap<>();
    m.splits().values().forEach(split -> split.shards().forEach(s -> out.put(s.path(), s.sha256() + " "
        + s.records())));
    return out;
  }

  private static String sha256(String path) throws Exception {
    return Sha256.of(Locations.read(path));
  }

}
