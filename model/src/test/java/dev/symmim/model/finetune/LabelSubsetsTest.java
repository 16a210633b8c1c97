package dev.symmim.model.finetune;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertThrows;

import dev.symmim.model.random.SeededRandom;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.Test;

public class LabelSubsetsTest {
  /** 3 classes of unequal sizes (1000, 500, 300), shuffled. */
  private static int[] labels() {
    int[] labels = new int[1800];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = i < 1000 ? 0 : (i < 1500 ? 1 : 2);
    }
    SeededRandom rng = new SeededRandom(3);
    for (int i = labels.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = labels[i];
      labels[i] = labels[j];
      labels[j] = t;
    }
    return labels;
  }

  private static int[] counts(int[] labels, int[] subset) {
    int[] c = new int[3];
    for (int i : subset) {
      c[labels[i]]++;
    }
    return c;
  }

  @Test
  public void fractionIsTakenPerClassAndAtLeastOne() {
    int[] labels = labels();
    assertThat(counts(labels, LabelSubsets.byFraction(labels, 3, 0.1, 1)), equalTo(new int[] {100, 50, 30}));
    assertThat(counts(labels, LabelSubsets.byFraction(labels, 3, 0.005, 1)), equalTo(new int[] {5, 3, 2}));
    assertThat(counts(labels, LabelSubsets.byFraction(labels, 3, 0.0001, 1)), equalTo(new int[] {1, 1, 1}));
    assertThat(LabelSubsets.byFraction(labels, 3, 1.0, 1).length, equalTo(1800));
    assertThat(counts(labels, LabelSubsets.perClass(labels, 3, 40, 1)), equalTo(new int[] {40, 40, 40}));
  }

  @Test
  public void deterministicPerSeedSortedAndDistinct() {
    int[] labels = labels();
    int[] a = LabelSubsets.byFraction(labels, 3, 0.1, 5);
    assertThat(LabelSubsets.byFraction(labels, 3, 0.1, 5), equalTo(a));
    assertThat(LabelSubsets.byFraction(labels, 3, 0.1, 6), not(equalTo(a)));
    int[] sorted = a.clone();
    Arrays.sort(sorted);
    assertThat(a, equalTo(sorted));
    assertThat((int) Arrays.stream(a).distinct().count(), equalTo(a.length));
  }

  @Test
  public void subsetsAreNestedForOneSeed() {
    int[] labels = labels();
    for (long seed = 0; seed < 3; seed++) {
      int[] small = LabelSubsets.byFraction(labels, 3, 0.01, seed);
      int[] medium = LabelSubsets.byFraction(labels, 3, 0.1, seed);
      int[] large = LabelSubsets.byFraction(labels, 3, 0.5, seed);
      assertSubset(small, medium);
      assertSubset(medium, large);
      assertSubset(LabelSubsets.perClass(labels, 3, 10, seed), LabelSubsets.perClass(labels, 3, 30, seed));
    }
  }

  private static void assertSubset(int[] inner, int[] outer) {
    Set<Integer> o = new HashSet<>();
    for (int i : outer) {
      o.add(i);
    }
    for (int i : inner) {
      assertThat("index " + i, o.contains(i), equalTo(true));
    }
  }

  @Test
  public void errorsNameTheClassOrTheValue() {
    int[] labels = {0, 0, 2, 2, 2};
    assertThat(assertThrows(IllegalArgumentException.class, () -> LabelSubsets.byFraction(labels, 3, 0.5, 0))
        .getMessage(), containsString("class 1 has no examples"));
    assertThat(assertThrows(IllegalArgumentException.class,
        () -> LabelSubsets.perClass(new int[] {0, 0, 1, 1, 1}, 2, 3, 0)).getMessage(), containsString("class 0 has 2"));
    assertThat(assertThrows(IllegalArgumentException.class, () -> LabelSubsets.byFraction(labels, 3, 0, 0))
        .getMessage(), containsString("got 0.0"));
    assertThat(assertThrows(IllegalArgumentException.class, () -> LabelSubsets.byFraction(labels, 3, 1.5, 0))
        .getMessage(), containsString("got 1.5"));
    assertThat(assertThrows(IllegalArgumentException.class, () -> LabelSubsets.perClass(labels, 3, 0, 0))
        .getMessage(), containsString("got 0"));
    assertThat(assertThrows(IllegalArgumentException.class, () -> LabelSubsets.byFraction(new int[] {0, 5}, 3, 1, 0))
        .getMessage(), containsString("label 5 of example 1"));
  }
}
