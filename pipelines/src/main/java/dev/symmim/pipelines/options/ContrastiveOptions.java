package dev.symmim.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** SymMIM's contrastive branch: MoCo v3 heads, InfoNCE, the momentum (EMA) encoder. */
public interface ContrastiveOptions extends PipelineOptions {
  @Description("Projector/predictor hidden width (0: 1024 for --model=tiny, 4096 otherwise).")
  @Default.Integer(0)
  int getHeadHidden();

  void setHeadHidden(int value);

  @Description("Projector output width.")
  @Default.Integer(256)
  int getHeadOut();

  void setHeadOut(int value);

  @Description("InfoNCE temperature tau of the contrastive loss (formerly --temperature).")
  @Default.Double(0.2)
  @FlagAlias("temperature")
  double getContrastiveTemperature();

  void setContrastiveTemperature(double value);

  @Description("Weight lambda of the contrastive loss: L = L_mim + lambda * L_con.")
  @Default.Double(1.0)
  double getContrastiveWeight();

  void setContrastiveWeight(double value);

  @Description("EMA momentum of the momentum encoder at the start; it rises to 1 on a cosine over the run.")
  @Default.Double(0.99)
  double getMomentum();

  void setMomentum(double value);

  @Description("Online pass that gives the contrastive query: masked (the M1-masked pass of the reconstruction loss, "
      + "METHOD.md) or clean (an extra unmasked forward/backward of view 1, iBOT-style; the reconstruction loss keeps "
      + "the masked pass).")
  @Default.Enum("masked")
  ContrastiveInputFlag getContrastiveInput();

  void setContrastiveInput(ContrastiveInputFlag value);

  @Description("Encoder output read by the projector on both branches: cls (METHOD.md), mean (of the patch tokens) or "
      + "clsmean (both concatenated; the projector input is twice the width).")
  @Default.Enum("cls")
  ContrastiveTokenFlag getContrastiveToken();

  void setContrastiveToken(ContrastiveTokenFlag value);
}
