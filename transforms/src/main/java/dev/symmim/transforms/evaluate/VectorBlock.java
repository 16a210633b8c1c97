package dev.symmim.transforms.evaluate;

import java.io.Serializable;
import java.util.List;

/**
 * A block of L2-normalized vectors (rows sorted by id) from the bank or the queries.
 *
 * @param data {@code ids.size() x dim}, row-major
 */
public record VectorBlock(boolean bank, int block, List<String> ids, int[] labels, float[] data, int dim)
    implements Serializable {
  public int rows() {
    return ids.size();
  }
}
