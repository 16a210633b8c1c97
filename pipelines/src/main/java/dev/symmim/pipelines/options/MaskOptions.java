package dev.symmim.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** The masks: SymMIM's symmetric checkerboards or an ablation baseline. */
public interface MaskOptions extends PipelineOptions {
  @Description("Masking: symmetric (SymMIM), random (MAE-style patches, --maskRatio) or block (SimMIM-style, 60%).")
  @Default.Enum("symmetric")
  MaskFlag getMask();

  void setMask(MaskFlag value);

  @Description("Parity s of the symmetric masks: fixed (s = 0, as in the paper) or random (per sample).")
  @Default.Enum("fixed")
  ParityFlag getParity();

  void setParity(ParityFlag value);

  @Description("Masked fraction of --mask=random (MAE-style; METHOD.md default 0.75).")
  @Default.Double(0.75)
  double getMaskRatio();

  void setMaskRatio(double value);

  @Description("Block k of the large-scale mask M2, in patches; must divide the patch grid side.")
  @Default.Integer(2)
  int getMaskBlock();

  void setMaskBlock(int value);

  @Description("Mask of the momentum (teacher) encoder's input: block (M2, or the baseline's second mask; METHOD.md) "
      + "or none (the teacher sees all of view 2).")
  @Default.Enum("block")
  TeacherMaskFlag getTeacherMask();

  void setTeacherMask(TeacherMaskFlag value);
}
