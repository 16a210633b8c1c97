package dev.symmim.transforms.embed;

import dev.symmim.model.config.ContrastiveHeads;
import dev.symmim.model.config.Optimisation;
import dev.symmim.model.config.RunSettings;
import dev.symmim.model.config.Schedule;
import dev.symmim.transforms.training.Checkpoints;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.symmim.model.config.DeviceKind;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.model.train.SymMimTrainer;
import dev.symmim.model.vit.VitSpec;
import dev.symmim.schemas.Embedding;
import dev.symmim.schemas.Example;
import dev.symmim.schemas.FailedRecord;
import dev.symmim.schemas.PixelEncoding;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.io.Sha256;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@link EmbedDataset} on the DirectRunner over a hand-written prepared dataset with two bad records. */
public class EmbedDatasetTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();
  static final int SIZE = 8;
  static final int GOOD = 40;

  /** A train and a val shard of 8x8 grey images; the val shard also holds a corrupt PNG and an RGB image. */
  static Path dataset(Path dir) throws Exception {
    Random r = new Random(1);
    Map<String, DatasetManifest.Split> splits = new java.util.LinkedHashMap<>();
    for (String split : List.of("train", "val")) {
      List<Example> examples = new ArrayList<>();
      int n = split.equals("train") ? GOOD * 3 / 4 : GOOD / 4;
      for (int i = 0; i < n; i++) {
        byte[] px = new byte[SIZE * SIZE];
        r.nextBytes(px);
        examples.add(example(split + i, split, i % 2, 1, PixelEncoding.RAW, px));
      }
      if (split.equals("val")) {
        examples.add(example("corrupt-png", split, 0, 1, PixelEncoding.PNG, new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2}));
        examples.add(example("rgb", split, 1, 3, PixelEncoding.RAW, new byte[SIZE * SIZE * 3]));
      }
      splits.put(split, writeSplit(dir, split, examples));
    }
    long total = splits.values().stream().mapToLong(DatasetManifest.Split::records).sum();
    new DatasetManifest(total, 0, 0, splits, List.of("even", "odd"), SIZE, 1, "raw", new double[] {0.5},
        new double[] {0.29}, null).writeTo(dir.toString());
    return dir;
  }

  /** {@code examples} as the one shard of {@code split} in the dataset {@code dir}; its manifest entry. */
  static DatasetManifest.Split writeSplit(Path dir, String split, List<Example> examples) throws Exception {
    String path = split + "/" + split + "-00000-of-00001.avro";
    Files.createDirectories(dir.resolve(split));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataFileWriter<Example> w = new DataFileWriter<>(new SpecificDatumWriter<>(Example.class))) {
      w.create(Example.getClassSchema(), bytes);
      for (Example e : examples) {
        w.append(e);
      }
    }
    Files.write(dir.resolve(path), bytes.toByteArray());
    return new DatasetManifest.Split(examples.size(), Map.of(), List.of(new DatasetManifest.Shard(path,
        examples.size(), bytes.size(), Sha256.hex(Sha256.newDigest().digest(bytes.toByteArray())))));
  }

  static Example example(String id, String split, int label, int channels, PixelEncoding enc, byte[] px) {
    return Example.newBuilder().setId(id).setSource("test:" + id).setSplit(split).setLabel(label)
        .setLabelName(label == 0 ? "even" : "odd").setHeight(SIZE).setWidth(SIZE).setChannels(channels)
        .setEncoding(enc).setPixels(ByteBuffer.wrap(px)).setContentHash("hash-" + id).build();
  }

  static EmbedDataset.Plan plan(Path data, Path out, Embedder.Spec spec, String modelId, int dim) throws Exception {
    return plan(data, out, spec, modelId, dim, VertexExport.defaults());
  }

  static EmbedDataset.Plan plan(Path data, Path out, Embedder.Spec spec, String modelId, int dim, VertexExport vertex)
      throws Exception {
    DatasetManifest m = DatasetManifest.readFrom(data.toString());
    List<ShardRef> shards = new ArrayList<>();
    m.splits().forEach((split, s) -> s.shards().forEach(sh ->
        shards.add(new ShardRef(split, data.resolve(sh.path()).toString(), sh.records(), sh.sha256()))));
    EmbeddingsManifest template = new EmbeddingsManifest(modelId, dim, spec.kind().name(), spec.checkpointDir(),
        data.toString(), "x", 0, 0, Map.of(), List.of(), List.of(), null, m.classes(), null);
    return new EmbedDataset.Plan(out.toString(), shards, spec, 16, 2, vertex,
        DatasetManifest.json().writeValueAsString(template));
  }

  static void run(EmbedDataset.Plan plan) {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    p.apply(EmbedDataset.of(plan));
    p.run().waitUntilFinish();
  }

  static <T> List<T> read(Path file, Class<T> type) throws Exception {
    List<T> out = new ArrayList<>();
    try (DataFileReader<T> r = new DataFileReader<>(file.toFile(), new SpecificDatumReader<>(type))) {
      r.forEach(out::add);
    }
    return out;
  }

  @Test
  public void pixelsReconcileWithDeadLettersAndVertexExport() throws Exception {
    Path data = dataset(tmp.newFolder("data").toPath());
    Path out = tmp.newFolder("out").toPath();
    Embedder.Spec spec = new Embedder.Spec(EncoderKind.pixels, null, DeviceKind.CPU, SIZE, 1, new double[] {0.5},
        new double[] {0.25}, 1, "cls", null);
    run(plan(data, out, spec, "pixels/8x8x1", SIZE * SIZE));

    EmbeddingsManifest m = EmbeddingsManifest.readFrom(out.toString());
    assertEquals(GOOD + 2, m.inputs());
    assertEquals(GOOD, m.records());
    assertEquals(2, m.failed());
    assertEquals(Map.of("train", (long) GOOD * 3 / 4, "val", (long) GOOD / 4), m.splits());
    assertTrue(m.reconciles());
    List<Embedding> all = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    int vertexLines = 0;
    for (int i = 0; i < m.shards().size(); i++) {
      List<Embedding> part = read(out.resolve(m.shards().get(i).path()), Embedding.class);
      assertEquals(m.shards().get(i).records(), part.size());
      all.addAll(part);
      for (String line : Files.readAllLines(out.resolve(m.vertexFiles().get(i)))) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode v = json.readTree(line);
        assertEquals(SIZE * SIZE, v.get("embedding").size());
        assertNotNull(v.get("id").asText());
        assertEquals("split", v.get("restricts").get(0).get("namespace").asText());
        assertEquals("label", v.get("restricts").get(1).get("namespace").asText());
        vertexLines++;
      }
    }
    assertEquals(GOOD, all.size());
    assertEquals(GOOD, vertexLines);
    // standardized pixels: (x/255 - 0.5) / 0.25
    Embedding e = all.stream().filter(x -> x.getId().toString().equals("train0")).findFirst().orElseThrow();
    assertEquals(SIZE * SIZE, e.getVector().size());
    assertEquals("pixels/8x8x1", e.getModelId().toString());
    List<FailedRecord> failed = read(out.resolve("failed/failed-00000-of-00001.avro"), FailedRecord.class);
    assertEquals(2, failed.size());
    String reasons = failed.toString();
    assertTrue(reasons, reasons.contains("corrupt-png") && reasons.contains("channels: image has 3 channels"));
  }

  @Test
  public void checkpointEncoderEmbedsWithItsWidth() throws Exception {
    Path data = dataset(tmp.newFolder("data").toPath());
    Path ckpt = tmp.newFolder("ckpt").toPath();
    PretrainConfig config = PretrainConfig.of(new VitSpec(SIZE, 4, 1, 16, 1, 2, 2))
        .withHeads(new ContrastiveHeads(32, 16, 32)).withOptimisation(Optimisation.pretraining().withBatch(4, 1.5e-4))
        .withSchedule(Schedule.epochs(1, 1)).withRun(RunSettings.defaults().withSeed(3).withThreads(1, 1));
    try (SymMimTrainer t = new SymMimTrainer(config)) {
      t.save(ckpt);
    }
    Path out = tmp.newFolder("out").toPath();
    String id = Checkpoints.modelId(ckpt, EncoderKind.online.name());
    assertTrue(id, id.matches("sha256:[0-9a-f]{16}/online"));
    Embedder.Spec spec = new Embedder.Spec(EncoderKind.online, ckpt.toString(), DeviceKind.CPU, SIZE, 1,
        new double[] {0.5}, new double[] {0.25}, 1, "cls", null);
    run(plan(data, out, spec, id, 16));
    EmbeddingsManifest m = EmbeddingsManifest.readFrom(out.toString());
    assertEquals(GOOD, m.records());
    assertEquals(2, m.failed()); // the RGB image and the corrupt PNG, as with pixels
    Embedding first = read(out.resolve(m.shards().get(0).path()), Embedding.class).get(0);
    assertEquals(16, first.getVector().size());
    assertEquals(id, first.getModelId().toString());
  }

  @Test
  public void aChangedShardFailsTheJobNamingIt() throws Exception {
    Path data = dataset(tmp.newFolder("data").toPath());
    Path shard = data.resolve("val/val-00000-of-00001.avro");
    byte[] bytes = Files.readAllBytes(shard);
    bytes[bytes.length - 1] ^= 1;
    Files.write(shard, bytes);
    Embedder.Spec spec = new Embedder.Spec(EncoderKind.pixels, null, DeviceKind.CPU, SIZE, 1, new double[] {0.5},
        new double[] {0.25}, 1, "cls", null);
    try {
      run(plan(data, tmp.newFolder("out").toPath(), spec, "pixels", SIZE * SIZE));
      fail("a shard whose sha256 differs from the manifest must fail the job");
    } catch (RuntimeException e) {
      String all = String.valueOf(e) + e.getCause();
      assertTrue(all, all.contains("val-00000-of-00001.avro has sha256"));
    }
  }
}
