package dev.symmim.pipelines.options;

import dev.symmim.model.infer.Branch;

/** {@code --encoder} of a pretraining checkpoint to start from: the online encoder or its EMA (momentum) copy. */
public enum BranchFlag {
  online(Branch.ONLINE), momentum(Branch.MOMENTUM);

  public final Branch branch;

  BranchFlag(Branch branch) {
    this.branch = branch;
  }
}
