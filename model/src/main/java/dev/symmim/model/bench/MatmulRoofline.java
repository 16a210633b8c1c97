package dev.symmim.model.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.symmim.model.runtime.TorchRuntime;
import java.util.Arrays;

/** Measures the GFLOP/s of a large DJL {@code matMul}: the roofline the training step is compared with. */
public final class MatmulRoofline {
  private MatmulRoofline() {}

  /** Median GFLOP/s of {@code reps} multiplications of two {@code (m,k) x (k,n)} matrices. */
  public static double gflops(Device device, DataType type, int m, int k, int n, int reps) {
    try (NDManager manager = NDManager.newBaseManager(device)) {
      NDArray a = manager.randomUniform(-1, 1, new Shape(m, k)).toType(type, false);
      NDArray b = manager.randomUniform(-1, 1, new Shape(k, n)).toType(type, false);
      a.matMul(b).close(); // warm-up
      double[] seconds = new double[reps];
      for (int r = 0; r < reps; r++) {
        long t0 = System.nanoTime();
        try (NDArray c = a.matMul(b)) {
          c.getShape(); // PyTorch CPU ops are synchronous; on GPU force completion below
          if (!device.isGpu()) {
            seconds[r] = (System.nanoTime() - t0) / 1e9;
            continue;
          }
          c.sum().getFloat();
        }
        seconds[r] = (System.nanoTime() - t0) / 1e9;
      }
      Arrays.sort(seconds);
      return 2.0 * m * k * n / seconds[reps / 2] / 1e9;
    }
  }

  /** {@code java ... MatmulRoofline [size] [threads] [cpu|gpu]}, fp32 (DJL 0.36 cannot cast to bf16). */
  public static void main(String[] args) {
    int size = args.length > 0 ? Integer.parseInt(args[0]) : 2048;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 0;
    Device device = args.length > 2 && args[2].equals("gpu") ? Device.gpu() : Device.cpu();
    DataType type = DataType.FLOAT32;
    TorchRuntime.configureThreads(threads, 0);
    double g = gflops(device, type, size, size, size, 7);
    System.out.printf("matmul %dx%dx%d %s on %s, %d threads: %.1f GFLOP/s%n", size, size, size, type, device,
        TorchRuntime.intraOpThreads(), g);
  }
}
