package dev.symmim.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** How frozen embeddings are evaluated: k-NN, linear probe, baselines, report. */
public interface EvaluationOptions extends PipelineOptions {
  @Description("k of the k-NN classifier (k = 200 is always reported too).")
  @Default.Integer(20)
  int getK();

  void setK(int value);

  @Description("Temperature T of the k-NN votes exp(sim/T) (formerly --temperature).")
  @Default.Double(0.07)
  @FlagAlias("temperature")
  double getKnnTemperature();

  void setKnnTemperature(double value);

  @Description("Also embed and evaluate, in the same run, the baselines: raw pixels, a randomly initialized encoder "
      + "of the same architecture, and the checkpoint's momentum encoder.")
  @Default.Boolean(true)
  boolean getBaselines();

  void setBaselines(boolean value);

  @Description("More read-outs to compare in the same run (comma-separated, e.g. grid2,cls+grid2; see 'symmim help "
      + "embed' --readout): for each, the checkpoint's encoder and the random-init baseline are embedded with it and "
      + "evaluated as sets '<encoder>:<readout>' and 'random:<readout>'. Empty: only the embeddings' own read-out.")
  @Default.String("")
  String getReadouts();

  void setReadouts(String value);

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

  @Description("Query points in the report's 2-D projection plot.")
  @Default.Integer(1500)
  int getProjectionPoints();

  void setProjectionPoints(int value);
}
