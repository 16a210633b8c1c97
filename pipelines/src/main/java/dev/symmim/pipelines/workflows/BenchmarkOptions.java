package dev.symmim.pipelines.workflows;

import dev.symmim.pipelines.options.EvaluationOptions;
import dev.symmim.pipelines.pretrain.PretrainOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/**
 * Options of {@code symmim benchmark}: every pretrain flag (the one pretraining run), the frozen
 * evaluation's flags, and the fine-tuning grid (label fractions x arms x seeds) with its recipe.
 */
public interface BenchmarkOptions extends PretrainOptions, EvaluationOptions {
  @Override
  @Description("Benchmark directory (local): pretrain/, frozen/ (k-NN and linear probe of the pretrained encoder), "
      + "finetune/<arm>-<fraction>-seed<N>/, benchmark.json, benchmark.html. Re-running reuses finished runs.")
  @Validation.Required
  String getOutput();

  @Description("Labelled fractions of the train split to fine-tune with, comma-separated, each in (0, 1].")
  @Default.String("0.01,0.1,1")
  String getLabelFractions();

  void setLabelFractions(String value);

  @Description("Fine-tuning epochs for each --labelFractions entry (same order): fewer labels need more passes "
      + "(the defaults give about 1,500, 3,000 and 2,800 steps of 64 on Fashion-MNIST, where both arms converge: "
      + "docs/finetune-calibration.md).")
  @Default.String("160,32,3")
  String getFinetuneEpochs();

  void setFinetuneEpochs(String value);

  @Description("Seeds per (fraction, arm): the seed draws the label subset, the head, the data order (and the "
      + "encoder for the random-init arms); --seed + 0, 1, ...")
  @Default.Integer(3)
  int getSeeds();

  void setSeeds(int value);

  @Description("Arms, comma-separated: symmim (fine-tune the pretrained online encoder), scratch (the same recipe "
      + "from a random encoder), matched (from a random encoder with extra epochs, so that its wall time equals "
      + "pretraining + the symmim run's, measured in this run).")
  @Default.String("symmim,scratch,matched")
  String getArms();

  void setArms(String value);

  @Description("Seeds of the compute-matched arm (each run costs about as much as the pretraining).")
  @Default.Integer(1)
  int getMatchedSeeds();

  void setMatchedSeeds(int value);

  @Description("Fine-tuning base learning rate (the peak is lr x batch / 256).")
  @Default.Double(8e-3)
  double getFinetuneLr();

  void setFinetuneLr(double value);

  @Description("Fine-tuning images per step.")
  @Default.Integer(64)
  int getFinetuneBatchSize();

  void setFinetuneBatchSize(int value);

  @Description("Fine-tuning layer-wise learning-rate decay.")
  @Default.Double(0.75)
  double getFinetuneLayerDecay();

  void setFinetuneLayerDecay(double value);

  @Description("Also evaluate the pretrained encoder frozen (k-NN, linear probe, baselines, --readouts).")
  @Default.Boolean(true)
  boolean getFrozen();

  void setFrozen(boolean value);
}
