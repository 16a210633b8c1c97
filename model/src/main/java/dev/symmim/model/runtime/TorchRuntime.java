package dev.symmim.model.runtime;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
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

  public static int intraOpThreads() {
    engine();
    return JniUtils.getNumThreads();
  }

  /** Seeds the engine RNG (the model itself draws from Java {@code SeededRandom}s). */
  public static void seed(long seed) {
    engine().setRandomSeed((int) seed);
  }

  /** System property that makes {@link #computeType} try bf16 despite the known DJL 0.36 limitation. */
  public static final String FORCE_BF16_PROPERTY = "symmim.bf16.force";

  /**
   * The compute dtype for a precision on a device. DJL 0.36's PyTorch JNI maps DJL dtypes to
   * torch dtypes with a switch that has no bfloat16 case and ends in a bare {@code throw;}: any
   * cast to bf16 calls {@code std::terminate} and kills the JVM (found 2026-11-26; it is also why
   * a bf16-initialized model aborts). It cannot be probed in-process, so bf16 falls back to fp32
   * with a warning. With {@code -Dsymmim.bf16.force=true} (for a DJL build that maps bf16) the
   * bf16 path is probed with a tiny linear layer and used: fp32 master weights, per-step bf16
   * casts of weights and activations, fp32 losses.
   */
  public static DataType computeType(Precision precision, Device device) {
    if (precision == Precision.FP32) {
      return DataType.FLOAT32;
    }
    if (!Boolean.getBoolean(FORCE_BF16_PROPERTY)) {
      LOG.warn("bf16 requested on {}, but DJL 0.36's PyTorch JNI cannot cast to bfloat16 (its dtype mapping has no"
          + " bf16 case and aborts the process); falling back to fp32. Set -D{}=true to try anyway.", device,
          FORCE_BF16_PROPERTY);
      return DataType.FLOAT32;
    }
    String failure = probeBf16(device);
    if (failure == null) {
      return DataType.BFLOAT16;
    }
    LOG.warn("bf16 requested but not supported on {} ({}); falling back to fp32", device, failure);
    return DataType.FLOAT32;
  }

  private static String probeBf16(Device device) {
    try (NDManager m = NDManager.newBaseManager(device)) {
      NDArray w = m.ones(new Shape(8, 8));
      w.setRequiresGradient(true);
      try (GradientCollector gc = engine().newGradientCollector()) {
        NDArray x = m.ones(new Shape(4, 8)).toType(DataType.BFLOAT16, false);
        NDArray y = x.getNDArrayInternal().linear(x, w.toType(DataType.BFLOAT16, false), null).singletonOrThrow();
        NDArray loss = y.toType(DataType.FLOAT32, false).sum();
        gc.backward(loss);
      }
      float g = w.getGradient().sum().getFloat();
      return g == 32f ? null : "probe gradient " + g + " != 32";
    } catch (RuntimeException | UnsatisfiedLinkError e) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
  }
}
