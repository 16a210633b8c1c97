package dev.symmim.pipelines.workflows;

import dev.symmim.pipelines.pretrain.PretrainOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/**
 * Options of {@code symmim ablate}: every pretrain flag (shared by all runs) plus the grid. Here
 * {@code --output} is the ablation directory; each run gets {@code <output>/runs/<variant>-seed<N>}.
 */
public interface AblateOptions extends PretrainOptions {
  @Description("Comma-separated variants: symmetric (fixed parity), symmetric-random-parity, random50, random75, block.")
  @Default.String("symmetric,symmetric-random-parity,random50,random75,block")
  String getVariants();

  void setVariants(String value);

  @Description("Seeds per variant (0, 1, ... N-1 added to --seed).")
  @Default.Integer(3)
  int getSeeds();

  void setSeeds(int value);
}
