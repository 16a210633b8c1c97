package dev.symmim.transforms.evaluate;

import java.util.Random;

/**
 * Linear probe on frozen features: BatchNorm without affine parameters (realized with the train
 * set's per-dimension mean and variance, the values its running statistics converge to) followed
 * by one linear layer trained with softmax cross-entropy by mini-batch SGD with momentum and a
 * cosine learning-rate schedule. Deterministic for a seed.
 */
public final class LinearProbe {
  /** The probe's training protocol (recorded next to its accuracy). */
  public record Protocol(int epochs, int batchSize, double lr, double momentum, double weightDecay, long seed)
      implements java.io.Serializable {
    public static Protocol defaults() {
      return new Protocol(30, 256, 0.1, 0.9, 0.0, 0);
    }

    public String describe() {
      return String.format("BatchNorm(no affine, train-set statistics, eps 1e-6) + Linear; softmax cross-entropy; "
          + "SGD momentum %.2f, lr %.3g cosine to 0, batch %d, %d epochs, weight decay %.3g, seed %d",
          momentum, lr, batchSize, epochs, weightDecay, seed);
    }
  }

  /** Accuracy on the train and test features. */
  public record Result(double trainAccuracy, double testAccuracy, long trainCount, long testCount, double finalLoss) {}

  private LinearProbe() {}

  /**
   * @param train {@code n x d} features, {@code trainLabels} in {@code [0, classes)}
   * @param test features evaluated after training
   */
  public static Result fit(float[][] train, int[] trainLabels, float[][] test, int[] testLabels, int classes,
      Protocol protocol) {
    int n = train.length;
    int d = train[0].length;
    double[] mean = new double[d];
    double[] var = new double[d];
    for (float[] x : train) {
      for (int j = 0; j < d; j++) {
        mean[j] += x[j];
      }
    }
    for (int j = 0; j < d; j++) {
      mean[j] /= n;
    }
    for (float[] x : train) {
      for (int j = 0; j < d; j++) {
        double c = x[j] - mean[j];
        var[j] += c * c;
      }
    }
    float[] shift = new float[d];
    float[] scale = new float[d];
    for (int j = 0; j < d; j++) {
      shift[j] = (float) mean[j];
      scale[j] = (float) (1.0 / Math.sqrt(var[j] / n + 1e-6));
    }
    float[][] xs = standardize(train, shift, scale);
    float[][] ts = standardize(test, shift, scale);

    float[] w = new float[classes * d];
    float[] b = new float[classes];
    float[] vw = new float[w.length];
    float[] vb = new float[classes];
    float[] gw = new float[w.length];
    float[] gb = new float[classes];
    float[] logits = new float[classes];
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Random rng = new Random(protocol.seed());
    int stepsPerEpoch = (n + protocol.batchSize() - 1) / protocol.batchSize();
    long totalSteps = (long) stepsPerEpoch * protocol.epochs();
    long step = 0;
    double lastLoss = Double.NaN;
    for (int epoch = 0; epoch < protocol.epochs(); epoch++) {
      for (int i = n - 1; i > 0; i--) {
        int j = rng.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      double epochLoss = 0;
      for (int start = 0; start < n; start += protocol.batchSize()) {
        int end = Math.min(n, start + protocol.batchSize());
        java.util.Arrays.fill(gw, 0);
        java.util.Arrays.fill(gb, 0);
        for (int s = start; s < end; s++) {
          float[] x = xs[order[s]];
          int y = trainLabels[order[s]];
          epochLoss += softmax(w, b, x, logits, classes, d, y);
          logits[y] -= 1; // dL/dlogits = p - onehot
          for (int c = 0; c < classes; c++) {
            float g = logits[c];
            gb[c] += g;
            int o = c * d;
            for (int j = 0; j < d; j++) {
              gw[o + j] += g * x[j];
            }
          }
        }
        float lr = (float) (protocol.lr() * 0.5 * (1 + Math.cos(Math.PI * step / totalSteps)));
        float inv = 1f / (end - start);
        float mom = (float) protocol.momentum();
        float wd = (float) protocol.weightDecay();
        for (int i = 0; i < w.length; i++) {
          vw[i] = mom * vw[i] + gw[i] * inv + wd * w[i];
          w[i] -= lr * vw[i];
        }
        for (int c = 0; c < classes; c++) {
          vb[c] = mom * vb[c] + gb[c] * inv;
          b[c] -= lr * vb[c];
        }
        step++;
      }
      lastLoss = epochLoss / n;
    }
    return new Result(accuracy(w, b, xs, trainLabels, classes, d), accuracy(w, b, ts, testLabels, classes, d),
        n, test.length, lastLoss);
  }

  private static float[][] standardize(float[][] xs, float[] shift, float[] scale) {
    float[][] out = new float[xs.length][];
    for (int i = 0; i < xs.length; i++) {
      float[] v = new float[shift.length];
      for (int j = 0; j < v.length; j++) {
        v[j] = (xs[i][j] - shift[j]) * scale[j];
      }
      out[i] = v;
    }
    return out;
  }

  /** Fills {@code p} with softmax probabilities; returns the cross-entropy for label {@code y}. */
  private static double softmax(float[] w, float[] b, float[] x, float[] p, int classes, int d, int y) {
    float max = Float.NEGATIVE_INFINITY;
    for (int c = 0; c < classes; c++) {
      p[c] = b[c] + Vectors.dot(w, c * d, x, 0, d);
      max = Math.max(max, p[c]);
    }
    double sum = 0;
    for (int c = 0; c < classes; c++) {
      p[c] = (float) Math.exp(p[c] - max);
      sum += p[c];
    }
    for (int c = 0; c < classes; c++) {
      p[c] /= (float) sum;
    }
    return -Math.log(Math.max(p[y], 1e-12));
  }

  private static double accuracy(float[] w, float[] b, float[][] xs, int[] labels, int classes, int d) {
    if (xs.length == 0) {
      return Double.NaN;
    }
    long right = 0;
    for (int i = 0; i < xs.length; i++) {
      int best = 0;
      float bestScore = Float.NEGATIVE_INFINITY;
      for (int c = 0; c < classes; c++) {
        float s = b[c] + Vectors.dot(w, c * d, xs[i], 0, d);
        if (s > bestScore) {
          bestScore = s;
          best = c;
        }
      }
      right += best == labels[i] ? 1 : 0;
    }
    return (double) right / xs.length;
  }
}
