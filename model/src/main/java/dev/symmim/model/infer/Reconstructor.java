package dev.symmim.model.infer;

import dev.symmim.model.vit.ParameterBuffer;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.symmim.model.checkpoint.Checkpoint;
import dev.symmim.model.checkpoint.NamedTensor;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.model.loss.ReconstructionLoss;
import dev.symmim.model.masking.Mask;
import dev.symmim.model.random.SeededRandom;
import dev.symmim.model.vit.Linear;
import dev.symmim.model.vit.Module;
import dev.symmim.model.vit.Parameter;
import dev.symmim.model.vit.ParameterFactory;
import dev.symmim.model.vit.Patches;
import dev.symmim.model.vit.StepContext;
import dev.symmim.model.vit.VisionTransformer;
import dev.symmim.model.vit.VitSpec;

/**
 * What the online encoder and its linear head D predict for the masked patches of an image
 * (the MIM task): masked patches are replaced by the prediction, visible ones keep their pixels.
 * For {@link ReconstructionLoss#NORM_PIX_MSE} the per-patch normalized prediction is mapped back
 * with the true patch's mean and std (MAE's visualization). Not thread-safe; close it.
 */
public final class Reconstructor implements AutoCloseable {
  private final PretrainConfig config;
  private final NDManager manager;
  private final VisionTransformer encoder;
  private final Linear decoder;

  public Reconstructor(Checkpoint checkpoint, Device device) {
    this.config = checkpoint.config();
    this.manager = NDManager.newBaseManager(device);
    ParameterFactory f = new ParameterFactory(manager, new SeededRandom(0), false);
    VitSpec spec = config.encoder();
    this.encoder = new VisionTransformer(f.scope("encoder"), spec);
    this.decoder = new Linear(f.scope("decoder"), spec.dim(), spec.patchPixels(), true);
    load(checkpoint, encoder);
    load(checkpoint, decoder);
  }

  private static void load(Checkpoint c, Module m) {
    for (Parameter p : m.parameters()) {
      NamedTensor t = c.tensor(Branch.ONLINE.prefix + p.name());
      if (!new Shape(t.shape()).equals(p.array().getShape())) {
        throw new IllegalArgumentException(t.name() + " has shape " + new Shape(t.shape()) + ", expected "
            + p.array().getShape());
      }
      ParameterBuffer.copyInto(p.array(), t.data());
    }
  }

  /**
   * @param pixels one uint8 {@code H x W x C} image at the model's size
   * @param mask which patches to hide (the model's patch grid)
   * @return the image with masked patches replaced by the prediction, uint8, same layout
   */
  public byte[] reconstruct(byte[] pixels, Mask mask) {
    VitSpec spec = config.encoder();
    int s = spec.imageSize();
    int c = spec.channels();
    int p = spec.patchSize();
    if (pixels.length != s * s * c) {
      throw new IllegalArgumentException("expected a " + s + "x" + s + "x" + c + " image, got " + pixels.length + " bytes");
    }
    float[] mean = config.normalization().mean();
    float[] std = config.normalization().std();
    float[] data = new float[pixels.length];
    for (int i = 0; i < data.length; i++) {
      data[i] = ((pixels[i] & 0xff) / 255f - mean[i % c]) / std[i % c];
    }
    int grid = s / p;
    float[] m = new float[grid * grid];
    mask.writeTo(m, 0);
    float[] target;
    float[] predicted;
    try (StepContext ctx = new StepContext(manager, DataType.FLOAT32)) {
      NDArray patches = Patches.patchify(ctx.create(data, new Shape(1, s, s, c)), p);
      NDArray tokens = encoder.forward(ctx, patches, ctx.create(m, new Shape(1, grid * grid, 1)));
      predicted = decoder.forward(ctx, VisionTransformer.patchTokens(tokens)).toFloatArray();
      target = patches.toFloatArray();
    }
    int pp = spec.patchPixels();
    byte[] out = pixels.clone();
    for (int patch = 0; patch < grid * grid; patch++) {
      if (m[patch] == 0) {
        continue;
      }
      float shift = 0;
      float scale = 1;
      if (config.losses().reconstruction() == ReconstructionLoss.NORM_PIX_MSE) {
        double sum = 0;
        double sq = 0;
        for (int k = 0; k < pp; k++) {
          sum += target[patch * pp + k];
          sq += target[patch * pp + k] * target[patch * pp + k];
        }
        shift = (float) (sum / pp);
        scale = (float) Math.sqrt(Math.max(sq / pp - shift * shift, 0) + 1e-6);
      }
      int row = patch / grid;
      int col = patch % grid;
      for (int k = 0; k < pp; k++) {
        int y = row * p + k / (p * c);
        int x = col * p + (k / c) % p;
        int ch = k % c;
        float normalized = predicted[patch * pp + k] * scale + shift;
        float v = (normalized * std[ch] + mean[ch]) * 255f;
        out[(y * s + x) * c + ch] = (byte) Math.max(0, Math.min(255, Math.round(v)));
      }
    }
    return out;
  }

  public PretrainConfig config() {
    return config;
  }

  @Override
  public void close() {
    manager.close();
  }
}
