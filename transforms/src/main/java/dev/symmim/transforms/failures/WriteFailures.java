package dev.symmim.transforms.failures;

import dev.symmim.transforms.dataset.DatasetPaths;
import dev.symmim.schemas.FailedRecord;
import dev.symmim.schemas.ShardInfo;
import dev.symmim.transforms.dataset.AvroShardWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Writes dead letters to {@code <dir>/failed/failed-00000-of-00001.avro}, sorted by source, stage
 * and message so a rerun writes the same bytes. Emits the file's {@link ShardInfo} (nothing, and no
 * file, when there are no failures): its record count is the failure count a manifest may trust,
 * since it exists only once the file does.
 */
public final class WriteFailures extends PTransform<PCollection<FailedRecord>, PCollection<ShardInfo>> {
  public static final String PATH = "failed/failed-00000-of-00001.avro";
  private final String outputDir;

  private WriteFailures(String outputDir) {
    this.outputDir = outputDir;
  }

  public static WriteFailures to(String outputDir) {
    return new WriteFailures(outputDir);
  }

  @Override
  public PCollection<ShardInfo> expand(PCollection<FailedRecord> input) {
    return input
        .apply("KeyAll", WithKeys.<String, FailedRecord>of("failed").withKeyType(TypeDescriptors.strings()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), AvroCoder.of(FailedRecord.class)))
        .apply("GatherFailures", GroupByKey.create())
        .apply("WriteFailedFile", ParDo.of(new WriteFn(outputDir)))
        .setCoder(AvroCoder.of(ShardInfo.class));
  }

  static class WriteFn extends DoFn<KV<String, Iterable<FailedRecord>>, ShardInfo> {
    private final String outputDir;

    WriteFn(String outputDir) {
      this.outputDir = outputDir;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<FailedRecord>> all, OutputReceiver<ShardInfo> out)
        throws IOException {
      List<FailedRecord> records = new ArrayList<>();
      all.getValue().forEach(records::add);
      records.sort(Comparator.comparing(FailedRecord::getSource)
          .thenComparing(FailedRecord::getStage)
          .thenComparing(FailedRecord::getMessage));
      ResourceId target = DatasetPaths.resolve(outputDir, PATH);
      AvroShardWriter.Written w = AvroShardWriter.write(target, FailedRecord.getClassSchema(), records);
      out.output(w.toShardInfo("failed", 0, 1, PATH));
    }
  }
}
