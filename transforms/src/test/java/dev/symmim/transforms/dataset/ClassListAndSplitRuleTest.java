package dev.symmim.transforms.dataset;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import org.junit.Test;

public class ClassListAndSplitRuleTest {
  @Test
  public void sourceClassOrderIsKeptWhenConsistent() {
    assertEquals(List.of("zebra", "ant", "cat"),
        ClassList.classOrder(List.of("2\u0000cat", "0\u0000zebra", "1\u0000ant")));
  }

  @Test
  public void folderNamesAreSortedAndNumbersNumerically() {
    assertEquals(List.of("ant", "cat", "zebra"),
        ClassList.classOrder(List.of("-1\u0000zebra", "-1\u0000ant", "-1\u0000cat")));
    assertEquals(List.of("2", "10", "100"), ClassList.sortClasses(List.of("100", "2", "10")));
  }

  @Test
  public void conflictingSourceIndexesFallBackToNames() {
    assertEquals(List.of("a", "b"), ClassList.classOrder(List.of("0\u0000b", "0\u0000a")));
  }

  @Test
  public void splitIsStableAndNearTheFraction() {
    int val = 0;
    for (int i = 0; i < 20000; i++) {
      String split = new SplitRule(0.1, 7).splitOf("img-" + i, "");
      assertEquals(split, new SplitRule(0.1, 7).splitOf("img-" + i, null));
      val += split.equals(SplitRule.VAL) ? 1 : 0;
    }
    assertTrue("val " + val, val > 1800 && val < 2200);
  }

  @Test
  public void sourceSplitWins() {
    assertEquals(SplitRule.VAL, new SplitRule(0, 0).splitOf("x", "val"));
  }

  @Test
  public void seedChangesTheSplit() {
    int differ = 0;
    for (int i = 0; i < 1000; i++) {
      differ += new SplitRule(0.5, 1).splitOf("img-" + i, "").equals(new SplitRule(0.5, 2).splitOf("img-" + i, "")) ? 0 : 1;
    }
    assertTrue("differ " + differ, differ > 400);
  }
}
