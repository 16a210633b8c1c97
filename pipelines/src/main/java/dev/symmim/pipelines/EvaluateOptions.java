package dev.symmim.pipelines;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Options of {@code symmim evaluate}. */
public interface EvaluateOptions extends PipelineOptions {
  @Description("Embeddings directory written by 'symmim embed' (manifest.json + embeddings/). Local or gs://.")
  String getEmbeddings();

  void setEmbeddings(String value);

  @Description("Output directory: metrics.json, projections.json, report.html + PNG plots, features/ (baselines). Local or gs://.")
  String getOutput();

  void setOutput(String value);

  @Description("k of the k-NN classifier, unset: 20 (k=200 is always reported too).")
  int getK();

  void setK(int value);

  @Description("Temperature T of the k-NN votes exp(sim/T) (unset: 0.07).")
  double getTemperature();

  void setTemperature(double value);

  @Description("Also embed and evaluate, in the same run, the baselines: raw pixels, a randomly initialized encoder "
      + "of the same architecture, and the checkpoint's momentum encoder.")
  @Default.Boolean(true)
  boolean getBaselines();

  void setBaselines(boolean value);

  @Description("Rows per k-NN block (each worker holds one bank block and one query block at a time).")
  @Default.Integer(2048)
  int getBlockRows();

  void setBlockRows(int value);

  @Description("Linear probe epochs (SGD momentum 0.9, lr --probeLr cosine, batch 256).")
  @Default.Integer(30)
  int getProbeEpochs();

  void setProbeEpochs(int value);

  @Description("Linear probe base learning rate.")
  @Default.Double(0.1)
  double getProbeLr();

  void setProbeLr(double value);

  @Description("Images per forward pass when embedding the baselines (unset: 256).")
  int getBatchSize();

  void setBatchSize(int value);

  @Description("auto (GPU when present), cpu or gpu, for embedding the baselines.")
  @Default.Enum("auto")
  DeviceFlag getDevice();

  void setDevice(DeviceFlag value);

  @Description("Query points in the report's 2-D projection plot.")
  @Default.Integer(1500)
  int getProjectionPoints();

  void setProjectionPoints(int value);
}
