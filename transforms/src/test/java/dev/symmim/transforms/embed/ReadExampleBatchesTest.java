package dev.symmim.transforms.embed;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.symmim.schemas.Example;
import dev.symmim.schemas.PixelEncoding;
import dev.symmim.transforms.io.Sha256;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@link ReadExampleBatches}: byte ranges of a many-block shard give every record exactly once. */
public class ReadExampleBatchesTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  /** A shard of {@code n} examples written with small Avro blocks (sync interval 1 KiB). */
  static ShardRef shard(Path dir, String name, int n) throws Exception {
    Random r = new Random(n);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataFileWriter<Example> w = new DataFileWriter<>(new SpecificDatumWriter<>(Example.class))) {
      w.setSyncInterval(1024);
      w.create(Example.getClassSchema(), bytes);
      for (int i = 0; i < n; i++) {
        byte[] px = new byte[64 + r.nextInt(64)]; // records of varying size: ranges cut blocks unevenly
        r.nextBytes(px);
        w.append(EmbedDatasetTest.example(name + "-" + i, "train", i % 2, 1, PixelEncoding.RAW, px));
      }
    }
    Path file = dir.resolve(name + ".avro");
    Files.write(file, bytes.toByteArray());
    return new ShardRef("train", file.toString(), n, Sha256.hex(Sha256.newDigest().digest(bytes.toByteArray())));
  }

  @Test
  public void rangesCoverEveryRecordOnceInBatchesOfAtMostBatchSize() throws Exception {
    ShardRef a = shard(tmp.getRoot().toPath(), "a", 300);
    ShardRef b = shard(tmp.getRoot().toPath(), "b", 3);
    int batch = 7;
    assertTrue(ReadExampleBatches.ranges(Files.size(Path.of(a.file())), 300, batch).size() > 10);
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    PCollection<List<Example>> batches = p
        .apply(Create.of(a, b).withCoder(SerializableCoder.of(ShardRef.class)))
        .apply(ReadExampleBatches.ofSize(batch));
    PAssert.that(batches.apply(MapElements.into(TypeDescriptors.integers()).via(List::size))).satisfies(sizes -> {
      sizes.forEach(s -> assertTrue("batch of " + s, s >= 1 && s <= batch));
      return null;
    });
    PCollection<String> ids = batches.apply(MapElements.into(TypeDescriptors.lists(TypeDescriptors.strings()))
            .via(l -> l.stream().map(e -> e.getId().toString()).toList()))
        .apply(org.apache.beam.sdk.transforms.Flatten.iterables());
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      expected.add("a-" + i);
    }
    expected.addAll(List.of("b-0", "b-1", "b-2"));
    PAssert.that(ids).containsInAnyOrder(expected); // no record lost, none twice
    p.run().waitUntilFinish();
  }

  @Test
  public void rangesSplitTheFileWithoutGapsOrOverlap() {
    List<long[]> r = ReadExampleBatches.ranges(1_000_003, 60_000, 256);
    assertEquals((60_000 + 1023) / 1024, r.size());
    assertEquals(0, r.get(0)[0]);
    for (int i = 1; i < r.size(); i++) {
      assertEquals(r.get(i - 1)[1], r.get(i)[0]);
    }
    assertEquals(1_000_003, r.get(r.size() - 1)[1]);
    assertEquals(1, ReadExampleBatches.ranges(10, 0, 256).size());
  }

  @Test
  public void aShardWithFewerRecordsThanTheManifestSaysFailsNamingIt() throws Exception {
    ShardRef a = shard(tmp.getRoot().toPath(), "short", 20);
    ShardRef lying = new ShardRef(a.split(), a.file(), 21, a.sha256());
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    p.apply(Create.of(lying).withCoder(SerializableCoder.of(ShardRef.class))).apply(ReadExampleBatches.ofSize(4));
    try {
      p.run().waitUntilFinish();
      fail("a record count that differs from the manifest must fail the job");
    } catch (RuntimeException e) {
      String all = e + " / " + e.getCause();
      assertTrue(all, all.contains("short.avro holds 20 records but the dataset manifest says 21"));
    }
  }
}
