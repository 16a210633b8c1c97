package dev.symmim.model.runtime;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import dev.symmim.model.config.DeviceKind;
import dev.symmim.model.config.Precision;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The PyTorch engine as this project uses it: device choice, threads, seeds, bf16 probing. */
public final class TorchRuntime {
  private static final Logger LOG = LoggerFactory.getLogger(TorchRuntime.class);

  private TorchRuntime() {}

  public static Engine engine() {
    return Engine.getEngine("PyTorch");
  }

  /** Chooses the device; never calls {@code Device.gpu()} without a GPU (it throws). */
  public static Device device(DeviceKind kind) {
    int gpus = engine().getGpuCount();
    switch (kind) {
      case CPU:
        return Device.cpu();
      case GPU:
        if (gpus == 0) {
          throw new IllegalStateException("device GPU requested but the PyTorch engine reports no GPU");
        }
        return Device.gpu();
      default:
        return gpus > 0 ? Device.gpu() : Device.cpu();
    }
  }

  /**
   * Sets torch intra-op threads (any time) and inter-op threads (only possible before the first
   * parallel work; a later different request is logged and ignored). 0 keeps the current value.
   */
  public static synchronized void configureThreads(int intraOp, int interOp) {
    engine();
    if (intraOp > 0 && JniUtils.getNumThreads() != intraOp) {
      JniUtils.setNumThreads(intraOp);
    }
    if (interOp > 0 && JniUtils.getNumInteropThreads() != interOp) {
      try {
        JniUtils.setNumInteropThreads(interOp);
      } catch (RuntimeException e) {
        LOG.warn("could not set torch inter-op threads to {} (already {}): {}", interOp,
            JniUtils.getNumInteropThreads(), e.getMessage());
      }
    }
  }

  /** The device as a run's log names it once: {@code cpu, 2 threads} or {@code gpu 0, 8 threads}. */
  public static String describe(Device device) {
    return (device.isGpu() ? "gpu " + device.getDeviceId() : "cpu") + ", " + intraOpThreads() + " threads";
  }

  public static int intraOpThreads() {
    engine();
    return JniUtils.getNumThreads();
  }

  /** Seeds the engine RNG (the model itself draws from Java {@code SeededRandom}s). */
  public static void seed(long seed) {
    engine().setRandomSeed((int) seed);
  }

  /**
   * The compute dtype for a precision on a device. bf16 always falls back to fp32 with a warning,
   * because DJL 0.36 cannot train with fp32 master weights and bf16 compute (measured 2026-11-26):
   * (1) its PyTorch JNI dtype mapping has no bfloat16 case and ends in a bare {@code throw;}, so
   * any cast to bf16 calls {@code std::terminate} and kills the JVM (also why a bf16-initialized
   * model aborts); (2) {@code NDArray.toType} runs under {@code torch::NoGradGuard}, so even a
   * supported cast (fp16) cuts the gradient path to the fp32 master weights. The per-step cast
   * hook ({@code StepContext.weight}) stays in place for an engine that provides a
   * differentiable cast.
   */
  public static DataType computeType(Precision precision, Device device) {
    if (precision == Precision.BF16) {
      LOG.warn("bf16 requested on {}, but DJL 0.36 cannot train in bf16: its PyTorch JNI has no bfloat16 dtype"
          + " mapping (a cast aborts the process) and NDArray.toType is not differentiable (runs under"
          + " NoGradGuard), so fp32 master weights could not receive gradients. Falling back to fp32.", device);
    }
    return DataType.FLOAT32;
  }
}
