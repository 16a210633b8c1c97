package dev.symmim.transforms.evaluate;

import java.io.Serializable;
import java.util.Comparator;

/** A bank vector's similarity to a query. Order: higher similarity first, then smaller id. */
public record Neighbor(float similarity, String id, int label) implements Serializable {
  public static final Comparator<Neighbor> BEST_FIRST =
      Comparator.comparingDouble((Neighbor n) -> -n.similarity).thenComparing(Neighbor::id);
}
