package dev.symmim.model.masking;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertThrows;

import dev.symmim.model.random.SeededRandom;
import org.junit.Test;

public class MasksTest {
  private static final PatchGrid G8 = new PatchGrid(8, 8);

  @Test
  public void workedExampleFromMethodDoc() {
    String m1 = Masks.checkerboard(G8, 0).toString();
    String m2 = Masks.blockCheckerboard(G8, 2, 0).toString();
    assertThat(m1.split("\n")[0], equalTo("0 1 0 1 0 1 0 1"));
    assertThat(m1.split("\n")[1], equalTo("1 0 1 0 1 0 1 0"));
    assertThat(m2.split("\n")[0], equalTo("0 0 1 1 0 0 1 1"));
    assertThat(m2.split("\n")[1], equalTo("0 0 1 1 0 0 1 1"));
    assertThat(m2.split("\n")[2], equalTo("1 1 0 0 1 1 0 0"));
    assertThat(m2.split("\n")[3], equalTo("1 1 0 0 1 1 0 0"));
  }

  @Test
  public void halfMaskedOn8x8ForBothScalesAndParities() {
    for (int s = 0; s < 2; s++) {
      assertThat(Masks.checkerboard(G8, s).maskedCount(), equalTo(32));
      assertThat(Masks.blockCheckerboard(G8, 2, s).maskedCount(), equalTo(32));
      assertThat(Masks.blockCheckerboard(G8, 4, s).maskedCount(), equalTo(32));
    }
  }

  @Test
  public void m2On14x14WithK2Masks96Of196() {
    Mask m2 = Masks.blockCheckerboard(new PatchGrid(14, 14), 2, 0);
    assertThat(m2.maskedCount(), equalTo(96));
    assertThat(m2.grid().size(), equalTo(196));
  }

  @Test
  public void symmetricUnder180DegreeRotationWhenKDividesGrid() {
    for (int side : new int[] {4, 8, 14, 16}) {
      PatchGrid g = new PatchGrid(side, side);
      for (int s = 0; s < 2; s++) {
        Mask m1 = Masks.checkerboard(g, s);
        assertThat(m1.rotated180(), equalTo(m1));
        Mask m2 = Masks.blockCheckerboard(g, 2, s);
        assertThat(m2.rotated180(), equalTo(m2));
      }
    }
  }

  @Test
  public void m1IsSymmetricOnOddGridsToo() {
    Mask m1 = Masks.checkerboard(new PatchGrid(7, 7), 0);
    assertThat(m1.rotated180(), equalTo(m1));
  }

  @Test
  public void gridNotDivisibleByKIsRejectedWithClearError() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Masks.blockCheckerboard(new PatchGrid(7, 7), 2, 0));
    assertThat(e.getMessage(), containsString("mask block size k 2 does not divide the patch grid 7x7"));
  }

  @Test
  public void m2WithoutTheDivisibilityRuleWouldBeAsymmetric() {
    // Why the rule exists: the same formula on a 7x7 grid with k = 2 is not rotation invariant.
    boolean[] cells = new boolean[49];
    for (int i = 0; i < 7; i++) {
      for (int j = 0; j < 7; j++) {
        cells[i * 7 + j] = ((i / 2 + j / 2) & 1) == 1;
      }
    }
    Mask raw = new Mask(new PatchGrid(7, 7), cells);
    assertThat(raw.rotated180(), not(equalTo(raw)));
  }

  @Test
  public void every4NeighbourOfAMaskedPatchIsVisibleInM1() {
    assertNeighboursVisible(Masks.checkerboard(G8, 0), 1);
    assertNeighboursVisible(Masks.checkerboard(G8, 1), 1);
  }

  @Test
  public void every4NeighbourOfAMaskedBlockIsVisibleInM2() {
    assertNeighboursVisible(Masks.blockCheckerboard(G8, 2, 0), 2);
    assertNeighboursVisible(Masks.blockCheckerboard(new PatchGrid(12, 12), 3, 1), 3);
  }

  /** For each masked k-block, the 4 neighbouring blocks (inside the grid) are fully visible. */
  private static void assertNeighboursVisible(Mask m, int k) {
    int rows = m.grid().rows() / k;
    int cols = m.grid().cols() / k;
    int[][] dirs = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};
    for (int bi = 0; bi < rows; bi++) {
      for (int bj = 0; bj < cols; bj++) {
        if (!m.isMasked(bi * k, bj * k)) {
          continue;
        }
        for (int[] d : dirs) {
          int ni = bi + d[0];
          int nj = bj + d[1];
          if (ni < 0 || nj < 0 || ni >= rows || nj >= cols) {
            continue;
          }
          for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) {
              assertThat("block " + ni + "," + nj + " next to masked " + bi + "," + bj,
                  m.isMasked(ni * k + a, nj * k + b), equalTo(false));
            }
          }
        }
      }
    }
  }

  @Test
  public void randomMaskHasExactRatio() {
    SeededRandom rng = new SeededRandom(3);
    for (int t = 0; t < 20; t++) {
      assertThat(Masks.random(new PatchGrid(14, 14), 0.75, rng).maskedCount(), equalTo(147));
    }
  }

  @Test
  public void randomBlocksMaskWholeBlocksAtCeilRatio() {
    SeededRandom rng = new SeededRandom(4);
    Mask m = Masks.randomBlocks(new PatchGrid(8, 8), 2, 0.6, rng);
    assertThat(m.maskedCount(), equalTo(10 * 4)); // ceil(0.6 * 16) = 10 blocks of 4 patches
    for (int i = 0; i < 8; i += 2) {
      for (int j = 0; j < 8; j += 2) {
        boolean v = m.isMasked(i, j);
        assertThat(m.isMasked(i + 1, j) == v && m.isMasked(i, j + 1) == v && m.isMasked(i + 1, j + 1) == v,
            equalTo(true));
      }
    }
  }

  @Test
  public void randomMasksAreReproducibleFromTheSeed() {
    assertThat(Masks.random(G8, 0.75, new SeededRandom(9)), equalTo(Masks.random(G8, 0.75, new SeededRandom(9))));
  }

  @Test
  public void samplerWithRandomParityDrawsBothParitiesAndKeepsPairsConsistent() {
    MaskSampler sampler = new MaskSampler(G8, MaskKind.SYMMETRIC, Parity.RANDOM, 2, 0.75, 2, 0.6);
    SeededRandom rng = new SeededRandom(1);
    int parityOne = 0;
    for (int t = 0; t < 100; t++) {
      MaskPair pair = sampler.sample(rng);
      int s = pair.online().isMasked(0, 0) ? 1 : 0;
      assertThat(pair.momentum(), equalTo(Masks.blockCheckerboard(G8, 2, s)));
      parityOne += s;
    }
    assertThat(parityOne > 20 && parityOne < 80, equalTo(true));
  }

  @Test
  public void samplerWithFixedParityAlwaysUsesZero() {
    MaskSampler sampler = new MaskSampler(G8, MaskKind.SYMMETRIC, Parity.FIXED, 2, 0.75, 2, 0.6);
    MaskPair pair = sampler.sample(new SeededRandom(5));
    assertThat(pair.online(), equalTo(Masks.checkerboard(G8, 0)));
    assertThat(pair.momentum(), equalTo(Masks.blockCheckerboard(G8, 2, 0)));
  }
}
