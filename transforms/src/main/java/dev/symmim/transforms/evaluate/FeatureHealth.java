package dev.symmim.transforms.evaluate;

import java.util.Arrays;
import java.util.Random;

/**
 * Signs of collapse in a feature matrix: the spread of per-dimension standard deviations of the
 * L2-normalized features, and the effective rank (Roy and Vetterli: exp of the entropy of the
 * normalized singular values of the centered features). A collapsed encoder has tiny std and an
 * effective rank near 1. Also the 2-D PCA projection used for the report's scatter plot.
 */
public final class FeatureHealth {
  /**
   * @param deadDims dimensions whose std is below 1% of the largest
   * @param effectiveRank in [1, min(n, d)]
   */
  public record Result(int dim, long rows, double meanStd, double minStd, double maxStd, int deadDims,
      double effectiveRank) {}

  private FeatureHealth() {}

  /** At most {@code maxRows} rows (a seeded sample) go into the spectrum. */
  public static Result of(float[][] features, int maxRows, long seed) {
    float[][] x = sample(features, maxRows, seed);
    int n = x.length;
    int d = x[0].length;
    float[][] normalized = new float[n][];
    for (int i = 0; i < n; i++) {
      normalized[i] = Vectors.normalized(x[i]);
    }
    double[] mean = new double[d];
    for (float[] v : normalized) {
      for (int j = 0; j < d; j++) {
        mean[j] += v[j] / n;
      }
    }
    double[] std = new double[d];
    for (float[] v : normalized) {
      for (int j = 0; j < d; j++) {
        double c = v[j] - mean[j];
        std[j] += c * c / n;
      }
    }
    double sum = 0;
    double min = Double.MAX_VALUE;
    double max = 0;
    for (int j = 0; j < d; j++) {
      std[j] = Math.sqrt(std[j]);
      sum += std[j];
      min = Math.min(min, std[j]);
      max = Math.max(max, std[j]);
    }
    int dead = 0;
    for (double s : std) {
      dead += s < 0.01 * max ? 1 : 0;
    }
    double[] eig = eigenvalues(gramOrCovariance(normalized, mean));
    double total = 0;
    for (double e : eig) {
      total += Math.sqrt(Math.max(e, 0));
    }
    double entropy = 0;
    for (double e : eig) {
      double p = Math.sqrt(Math.max(e, 0)) / total;
      if (p > 0) {
        entropy -= p * Math.log(p);
      }
    }
    return new Result(d, n, sum / d, min, max, dead, total == 0 ? 0 : Math.exp(entropy));
  }

  /** A seeded sample of at most {@code maxRows} rows, in their original order. */
  static float[][] sample(float[][] rows, int maxRows, long seed) {
    int[] idx = sampleIndices(rows.length, maxRows, seed);
    float[][] out = new float[idx.length][];
    for (int i = 0; i < idx.length; i++) {
      out[i] = rows[idx[i]];
    }
    return out;
  }

  /** Ascending indices of a seeded sample of at most {@code max} of {@code n} rows (all when n <= max). */
  static int[] sampleIndices(int n, int max, long seed) {
    if (n <= max) {
      return java.util.stream.IntStream.range(0, n).toArray();
    }
    return new Random(seed).ints(0, n).distinct().limit(max).sorted().toArray();
  }

  /** The smaller of the centered covariance (d x d) and Gram (n x n) matrices: same nonzero spectrum up to scale. */
  private static double[][] gramOrCovariance(float[][] x, double[] mean) {
    int n = x.length;
    int d = mean.length;
    double[][] c = new double[n][d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        c[i][j] = x[i][j] - mean[j];
      }
    }
    if (d <= n) {
      double[][] cov = new double[d][d];
      for (double[] row : c) {
        for (int a = 0; a < d; a++) {
          double ra = row[a];
          for (int b = a; b < d; b++) {
            cov[a][b] += ra * row[b];
          }
        }
      }
      for (int a = 0; a < d; a++) {
        for (int b = 0; b < a; b++) {
          cov[a][b] = cov[b][a];
        }
      }
      return cov;
    }
    double[][] gram = new double[n][n];
    for (int a = 0; a < n; a++) {
      for (int b = a; b < n; b++) {
        double s = 0;
        for (int j = 0; j < d; j++) {
          s += c[a][j] * c[b][j];
        }
        gram[a][b] = s;
        gram[b][a] = s;
      }
    }
    return gram;
  }

  /** Eigenvalues of a symmetric matrix by cyclic Jacobi rotations (descending). */
  static double[] eigenvalues(double[][] m) {
    int n = m.length;
    double[][] a = new double[n][];
    for (int i = 0; i < n; i++) {
      a[i] = m[i].clone();
    }
    for (int sweep = 0; sweep < 60; sweep++) {
      double off = 0;
      double diag = 0;
      for (int p = 0; p < n; p++) {
        diag += a[p][p] * a[p][p];
        for (int q = p + 1; q < n; q++) {
          off += a[p][q] * a[p][q];
        }
      }
      if (off <= 1e-22 * Math.max(diag, 1e-300)) {
        break;
      }
      for (int p = 0; p < n; p++) {
        for (int q = p + 1; q < n; q++) {
          double apq = a[p][q];
          if (Math.abs(apq) < 1e-300) {
            continue;
          }
          double theta = (a[q][q] - a[p][p]) / (2 * apq);
          double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
          if (theta == 0) {
            t = 1;
          }
          double c = 1 / Math.sqrt(t * t + 1);
          double s = t * c;
          for (int k = 0; k < n; k++) {
            double akp = a[k][p];
            double akq = a[k][q];
            a[k][p] = c * akp - s * akq;
            a[k][q] = s * akp + c * akq;
          }
          for (int k = 0; k < n; k++) {
            double apk = a[p][k];
            double aqk = a[q][k];
            a[p][k] = c * apk - s * aqk;
            a[q][k] = s * apk + c * aqk;
          }
        }
      }
    }
    double[] eig = new double[n];
    for (int i = 0; i < n; i++) {
      eig[i] = a[i][i];
    }
    Arrays.sort(eig);
    for (int i = 0; i < n / 2; i++) {
      double t = eig[i];
      eig[i] = eig[n - 1 - i];
      eig[n - 1 - i] = t;
    }
    return eig;
  }

  /**
   * 2-D PCA coordinates of {@code rows} (L2-normalized, centered, projected on the two leading
   * principal axes found by power iteration with deflation).
   */
  public static float[][] project2d(float[][] rows, long seed) {
    int n = rows.length;
    int d = rows[0].length;
    float[][] x = new float[n][];
    double[] mean = new double[d];
    for (int i = 0; i < n; i++) {
      x[i] = Vectors.normalized(rows[i]);
      for (int j = 0; j < d; j++) {
        mean[j] += x[i][j] / n;
      }
    }
    for (float[] v : x) {
      for (int j = 0; j < d; j++) {
        v[j] -= (float) mean[j];
      }
    }
    Random r = new Random(seed);
    double[][] axes = new double[2][];
    for (int a = 0; a < 2; a++) {
      double[] v = new double[d];
      for (int j = 0; j < d; j++) {
        v[j] = r.nextGaussian();
      }
      for (int it = 0; it < 100; it++) {
        double[] next = new double[d];
        for (float[] row : x) {
          double p = 0;
          for (int j = 0; j < d; j++) {
            p += row[j] * v[j];
          }
          for (int j = 0; j < d; j++) {
            next[j] += p * row[j];
          }
        }
        for (int b = 0; b < a; b++) { // deflate: stay orthogonal to earlier axes
          double p = 0;
          for (int j = 0; j < d; j++) {
            p += next[j] * axes[b][j];
          }
          for (int j = 0; j < d; j++) {
            next[j] -= p * axes[b][j];
          }
        }
        double norm = 0;
        for (double t : next) {
          norm += t * t;
        }
        norm = Math.sqrt(norm);
        if (norm == 0) {
          break;
        }
        for (int j = 0; j < d; j++) {
          v[j] = next[j] / norm;
        }
      }
      axes[a] = v;
    }
    float[][] out = new float[n][2];
    for (int i = 0; i < n; i++) {
      for (int a = 0; a < 2; a++) {
        double p = 0;
        for (int j = 0; j < d; j++) {
          p += x[i][j] * axes[a][j];
        }
        out[i][a] = (float) p;
      }
    }
    return out;
  }
}
