package dev.symmim.model.infer;

import dev.symmim.model.vit.ParameterBuffer;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.symmim.model.augment.FloatImage;
import dev.symmim.model.checkpoint.Checkpoint;
import dev.symmim.model.checkpoint.NamedTensor;
import dev.symmim.model.config.DeviceKind;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.model.random.SeededRandom;
import dev.symmim.model.runtime.TorchRuntime;
import dev.symmim.model.vit.Parameter;
import dev.symmim.model.vit.ParameterFactory;
import dev.symmim.model.vit.Patches;
import dev.symmim.model.vit.StepContext;
import dev.symmim.model.vit.VisionTransformer;
import dev.symmim.model.vit.VitSpec;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Embeddings of uint8 images with a checkpoint's encoder (no masking, final LayerNorm, fp32),
 * read out as the CLS token (default, METHOD.md) or another {@link Readout} (METHOD.md section 7).
 * Holds its own copy of the encoder weights; not thread-safe: one per thread / DoFn instance, and
 * {@link #close()} it. Load the {@link Checkpoint} once per JVM and create predictors from it.
 */
public final class EmbeddingPredictor implements AutoCloseable {
  private final PretrainConfig config;
  private final NDManager manager;
  private final VisionTransformer encoder;
  private final Readout readout;

  /** CLS embeddings (METHOD.md section 4). */
  public EmbeddingPredictor(Checkpoint checkpoint, Branch branch, Device device) {
    this(checkpoint, branch, device, Readout.CLS);
  }

  public EmbeddingPredictor(Checkpoint checkpoint, Branch branch, Device device, Readout readout) {
    this.config = checkpoint.config();
    this.readout = java.util.Objects.requireNonNull(readout, "readout");
    this.manager = NDManager.newBaseManager(device);
    this.encoder = new VisionTransformer(new ParameterFactory(manager, new SeededRandom(0), false).scope("encoder"), config.encoder());
    for (Parameter p : encoder.parameters()) {
      NamedTensor t = checkpoint.tensor(branch.prefix + p.name());
      if (!new Shape(t.shape()).equals(p.array().getShape())) {
        throw new IllegalArgumentException(t.name() + " has shape " + new Shape(t.shape()) + ", expected "
            + p.array().getShape());
      }
      ParameterBuffer.copyInto(p.array(), t.data());
    }
  }

  /** Loads a checkpoint directory and embeds with its online encoder on the CPU (or the GPU if present). */
  public static EmbeddingPredictor load(Path checkpointDir) throws IOException {
    return new EmbeddingPredictor(Checkpoint.load(checkpointDir), Branch.ONLINE, TorchRuntime.device(DeviceKind.AUTO));
  }

  public int embeddingSize() {
    return readout.size(config.encoder());
  }

  public PretrainConfig config() {
    return config;
  }

  public Readout readout() {
    return readout;
  }

  /**
   * @param pixels {@code n} images, uint8, {@code H x W x C} interleaved, at the checkpoint's image
   *     size and channel count
   * @return {@code n x embeddingSize()} embeddings (see {@link #readout()})
   */
  public float[][] embed(byte[] pixels, int n) {
    int s = config.encoder().imageSize();
    return embed(pixels, n, s, s);
  }

  /**
   * As {@link #embed(byte[], int)} for images of any {@code height x width} (with the checkpoint's
   * channel count); each is resized (bilinear) to the model's image size first, as the training
   * views were.
   */
  public float[][] embed(byte[] pixels, int n, int height, int width) {
    VitSpec spec = config.encoder();
    int s = spec.imageSize();
    int c = spec.channels();
    int per = height * width * c;
    if (n <= 0 || pixels.length != (long) n * per) {
      throw new IllegalArgumentException("expected " + n + " images of " + height + "x" + width + "x" + c + " = "
          + (long) n * per + " bytes, got " + pixels.length);
    }
    float[] mean = config.normalization().mean();
    float[] std = config.normalization().std();
    float[] data = new float[n * s * s * c];
    for (int b = 0; b < n; b++) {
      byte[] one = java.util.Arrays.copyOfRange(pixels, b * per, (b + 1) * per);
      float[] resized = FloatImage.fromUint8(one, height, width, c).resized(s).data();
      for (int i = 0; i < resized.length; i++) {
        data[b * resized.length + i] = (resized[i] - mean[i % c]) / std[i % c];
      }
    }
    try (StepContext ctx = new StepContext(manager, DataType.FLOAT32)) {
      NDArray patches = Patches.patchify(ctx.create(data, new Shape(n, s, s, c)), spec.patchSize());
      NDArray pooled = readout.read(ctx, encoder, encoder.encode(ctx, patches, null, null));
      float[] flat = pooled.toFloatArray();
      int d = embeddingSize();
      float[][] out = new float[n][d];
      for (int i = 0; i < n; i++) {
        System.arraycopy(flat, i * d, out[i], 0, d);
      }
      return out;
    }
  }

  @Override
  public void close() {
    manager.close();
  }
}
