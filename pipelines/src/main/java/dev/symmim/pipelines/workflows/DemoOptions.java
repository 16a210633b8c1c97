package dev.symmim.pipelines.workflows;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Options of {@code symmim demo}. */
public interface DemoOptions extends PipelineOptions {
  @Description("The dataset to prepare (IDX files), local or gs://; empty: data/fashion-mnist-subset of this checkout.")
  @Default.String("")
  String getData();

  void setData(String value);

  @Description("Directory for every stage's output and the report, local or gs://.")
  @Default.String("out/demo")
  String getOutput();

  void setOutput(String value);

  @Description("Pretraining epochs over the prepared train split (8: 624 steps of 64 on the shipped subset, "
      + "about 5 minutes on 2 idle cores); fewer make a quicker but weaker demo.")
  @Default.Integer(8)
  int getPretrainEpochs();

  void setPretrainEpochs(int value);

  @Description("Fine-tuning epochs over the 10% labelled subset, for the run from the checkpoint and the one from scratch.")
  @Default.Integer(30)
  int getFinetuneEpochs();

  void setFinetuneEpochs(int value);
}
