package dev.symmim.pipelines;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Options of {@code symmim embed}. */
public interface EmbedOptions extends PipelineOptions {
  @Description("Prepared dataset directory (manifest.json + shards); every split is embedded. Local or gs://.")
  String getData();

  void setData(String value);

  @Description("Pretrain run directory (its latest checkpoint) or one checkpoint directory; local or gs:// "
      + "(downloaded once per JVM). Not needed for --encoder=pixels.")
  String getCheckpoint();

  void setCheckpoint(String value);

  @Description("Output directory: manifest.json, embeddings/*.avro, vertex/*.json, failed/. Local or gs://.")
  String getOutput();

  void setOutput(String value);

  @Description("Images per forward pass, batches formed before the inference step (unset: 256).")
  int getBatchSize();

  void setBatchSize(int value);

  @Description("online (SymMIM's trained encoder), momentum (its EMA copy), random (same architecture, initial "
      + "weights: a baseline) or pixels (standardized raw pixels: a baseline).")
  @Default.Enum("online")
  EncoderFlag getEncoder();

  void setEncoder(EncoderFlag value);

  @Description("auto (GPU when present), cpu or gpu (fails without one).")
  @Default.Enum("auto")
  DeviceFlag getDevice();

  void setDevice(DeviceFlag value);

  @Description("Output part files (unset or 0: one per 50000 embeddings; at most 5000, Vertex AI's import limit).")
  int getShards();

  void setShards(int value);
}
