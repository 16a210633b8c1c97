package dev.symmim.transforms.evaluate;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.Random;
import org.junit.Test;

public class LinearProbeTest {
  /** Classes separated by a margin along random directions, plus noise dimensions with large scale. */
  static float[][] separable(int n, int d, int classes, int[] labels, long seed) {
    Random r = new Random(seed);
    float[][] x = new float[n][d];
    for (int i = 0; i < n; i++) {
      labels[i] = r.nextInt(classes);
      for (int j = 0; j < d; j++) {
        x[i][j] = (float) (r.nextGaussian() * 10); // nuisance scale: BatchNorm must handle it
      }
      x[i][labels[i]] += 100f; // class c: dimension c is shifted far beyond the noise
    }
    return x;
  }

  @Test
  public void separableFeaturesAreClassifiedAlmostPerfectly() {
    int[] yTrain = new int[2000];
    int[] yTest = new int[500];
    float[][] train = separable(2000, 32, 10, yTrain, 1);
    float[][] test = separable(500, 32, 10, yTest, 2);
    LinearProbe.Result r = LinearProbe.fit(train, yTrain, test, yTest, 10, LinearProbe.Protocol.defaults());
    assertTrue("train " + r.trainAccuracy(), r.trainAccuracy() > 0.995);
    assertTrue("test " + r.testAccuracy(), r.testAccuracy() > 0.99);
    assertEquals(500, r.testCount());
  }

  @Test
  public void randomLabelsDoNotGeneralize() {
    Random rnd = new Random(3);
    int[] yTrain = new int[1000];
    int[] yTest = new int[1000];
    float[][] train = new float[1000][16];
    float[][] test = new float[1000][16];
    for (int i = 0; i < 1000; i++) {
      yTrain[i] = rnd.nextInt(10);
      yTest[i] = rnd.nextInt(10);
      for (int j = 0; j < 16; j++) {
        train[i][j] = (float) rnd.nextGaussian();
        test[i][j] = (float) rnd.nextGaussian();
      }
    }
    LinearProbe.Result r = LinearProbe.fit(train, yTrain, test, yTest, 10, LinearProbe.Protocol.defaults());
    assertTrue("chance level expected, got " + r.testAccuracy(), r.testAccuracy() < 0.16);
  }

  @Test
  public void effectiveRankSeesCollapse() {
    Random rnd = new Random(4);
    float[][] full = new float[800][24];
    float[][] collapsed = new float[800][24];
    for (int i = 0; i < 800; i++) {
      float t = (float) rnd.nextGaussian();
      for (int j = 0; j < 24; j++) {
        full[i][j] = (float) rnd.nextGaussian();
        collapsed[i][j] = 1 + 0.001f * t * (j + 1); // one direction around a constant vector
      }
    }
    FeatureHealth.Result healthy = FeatureHealth.of(full, 1000, 0);
    FeatureHealth.Result bad = FeatureHealth.of(collapsed, 1000, 0);
    assertTrue("isotropic: " + healthy.effectiveRank(), healthy.effectiveRank() > 18);
    assertTrue("collapsed: " + bad.effectiveRank(), bad.effectiveRank() < 2);
    assertTrue(bad.meanStd() < 0.01 && healthy.meanStd() > 0.1);
  }

  @Test
  public void jacobiEigenvaluesOfAKnownMatrix() {
    // [[2,1],[1,2]] has eigenvalues 3 and 1
    double[] e = FeatureHealth.eigenvalues(new double[][] {{2, 1}, {1, 2}});
    assertEquals(3, e[0], 1e-9);
    assertEquals(1, e[1], 1e-9);
  }
}
