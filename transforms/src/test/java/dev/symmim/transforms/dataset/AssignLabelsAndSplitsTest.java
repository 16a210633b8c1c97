package dev.symmim.transforms.dataset;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import org.junit.Test;

public class AssignLabelsAndSplitsTest {
  @Test
  public void sourceClassOrderIsKeptWhenConsistent() {
    assertEquals(List.of("zebra", "ant", "cat"),
        AssignLabels.classOrder(List.of("2\u0000cat", "0\u0000zebra", "1\u0000ant")));
  }

  @Test
  public void folderNamesAreSortedAndNumbersNumerically() {
    assertEquals(List.of("ant", "cat", "zebra"),
        AssignLabels.classOrder(List.of("-1\u0000zebra", "-1\u0000ant", "-1\u0000cat")));
    assertEquals(List.of("2", "10", "100"), AssignLabels.sortClasses(List.of("100", "2", "10")));
  }

  @Test
  public void conflictingSourceIndexesFallBackToNames() {
    assertEquals(List.of("a", "b"), AssignLabels.classOrder(List.of("0\u0000b", "0\u0000a")));
  }

  @Test
  public void splitIsStableAndNearTheFraction() {
    int val = 0;
    for (int i = 0; i < 20000; i++) {
      String split = AssignSplits.splitOf("img-" + i, 0.1, 7);
      assertEquals(split, AssignSplits.splitOf("img-" + i, 0.1, 7));
      val += split.equals(AssignSplits.VAL) ? 1 : 0;
    }
    assertTrue("val " + val, val > 1800 && val < 2200);
  }

  @Test
  public void seedChangesTheSplit() {
    int differ = 0;
    for (int i = 0; i < 1000; i++) {
      differ += AssignSplits.splitOf("img-" + i, 0.5, 1).equals(AssignSplits.splitOf("img-" + i, 0.5, 2)) ? 0 : 1;
    }
    assertTrue("differ " + differ, differ > 400);
  }
}
