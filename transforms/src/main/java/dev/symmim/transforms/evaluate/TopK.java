package dev.symmim.transforms.evaluate;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.PriorityQueue;

/** Keeps the {@code k} best {@link Neighbor}s seen (by {@link Neighbor#BEST_FIRST}). */
public final class TopK {
  private final int k;
  private final PriorityQueue<Neighbor> worstFirst;

  public TopK(int k) {
    this.k = k;
    this.worstFirst = new PriorityQueue<>(k + 1, Neighbor.BEST_FIRST.reversed());
  }

  /** Whether a neighbour of this similarity could enter (cheap pre-check before building it). */
  public boolean admits(float similarity) {
    return worstFirst.size() < k || similarity >= worstFirst.peek().similarity();
  }

  public void offer(Neighbor n) {
    if (worstFirst.size() < k) {
      worstFirst.add(n);
    } else if (Neighbor.BEST_FIRST.compare(n, worstFirst.peek()) < 0) {
      worstFirst.poll();
      worstFirst.add(n);
    }
  }

  /** Best first. */
  public List<Neighbor> sorted() {
    List<Neighbor> out = new ArrayList<>(worstFirst);
    Collections.sort(out, Neighbor.BEST_FIRST);
    return out;
  }
}
