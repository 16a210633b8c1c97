package dev.symmim.transforms.dataset;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.Serializable;

/**
 * The split of an example: the source's own split when it has one (IDX/CIFAR test files are
 * {@code val}), else {@code val} when a stable hash of (seed, id) falls below the validation
 * fraction. Depends only on the id, the source split, the seed and the fraction.
 */
public record SplitRule(double valFraction, long seed) implements Serializable {
  public static final String TRAIN = "train";
  public static final String VAL = "val";

  public SplitRule {
    checkArgument(valFraction >= 0 && valFraction < 1, "valFraction must be in [0, 1), got %s", valFraction);
  }

  /** The split of {@code id}; {@code sourceSplit} is empty or null when the source has none. */
  public String splitOf(String id, String sourceSplit) {
    if (sourceSplit != null && !sourceSplit.isEmpty()) {
      return sourceSplit;
    }
    return StableHash.unit("split:" + seed, id) < valFraction ? VAL : TRAIN;
  }
}
