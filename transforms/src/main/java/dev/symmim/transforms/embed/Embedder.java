package dev.symmim.transforms.embed;

import dev.symmim.transforms.training.Checkpoints;
import dev.symmim.model.checkpoint.Checkpoint;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.model.infer.Branch;
import dev.symmim.model.infer.EmbeddingPredictor;
import dev.symmim.model.infer.Readout;
import dev.symmim.model.runtime.TorchRuntime;
import dev.symmim.model.train.SymMimTrainer;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Turns a batch of uint8 images into vectors. Not thread-safe: one per DoFn instance. */
public interface Embedder extends AutoCloseable {
  /** Vector length. */
  int dim();

  /**
   * @param pixels {@code n} images of {@code height x width x channels()} uint8, interleaved
   * @return {@code n} vectors
   */
  float[][] embed(byte[] pixels, int n, int height, int width);

  @Override
  void close();

  /**
   * What to build on a worker: serializable, so a transform can carry it.
   *
   * @param checkpointDir the resolved checkpoint directory (unused for {@link EncoderKind#pixels})
   * @param imageSize side of the dataset's square images (the pixel baseline requires it)
   * @param threads torch intra-op threads per worker process (0: leave as is); with several
   *     inference DoFns per process, cores / DoFns avoids oversubscription
   * @param readout how a checkpoint encoder's vector is read out ({@link Readout#flag()}, e.g. {@code cls})
   * @param meanImage the train split's mean image in [0, 1] ({@link EncoderKind#centredPixels} only)
   */
  record Spec(EncoderKind kind, String checkpointDir, dev.symmim.model.config.DeviceKind device, int imageSize,
      int channels, double[] mean, double[] std, int threads, String readout, float[] meanImage)
      implements Serializable {

    /** A spec that leaves torch's thread count alone (single-process tools such as search). */
    public Spec(EncoderKind kind, String checkpointDir, dev.symmim.model.config.DeviceKind device, int imageSize,
        int channels, double[] mean, double[] std, String readout) {
      this(kind, checkpointDir, device, imageSize, channels, mean, std, 0, readout, null);
    }

    /** Builds the embedder; checkpoint weights are loaded once per JVM and shared. */
    public Embedder open() {
      if (kind.isPixels()) {
        return new Pixels(imageSize, channels, mean, std, kind == EncoderKind.centredPixels ? meanImage : null);
      }
      TorchRuntime.configureThreads(threads, 0);
      Path dir = Checkpoints.local(checkpointDir);
      Checkpoint c = kind == EncoderKind.random ? RandomInit.of(dir) : Checkpoints.shared(dir);
      Branch branch = kind == EncoderKind.momentum ? Branch.MOMENTUM : Branch.ONLINE;
      EmbeddingPredictor p = new EmbeddingPredictor(c, branch, TorchRuntime.device(device), Readout.parse(readout));
      return new Predictor(p);
    }
  }

  /** The checkpoint's architecture and seed with its initial weights, built once per JVM. */
  final class RandomInit {
    private static final Map<Path, Checkpoint> BUILT = new ConcurrentHashMap<>();

    private RandomInit() {}

    static Checkpoint of(Path dir) {
      return BUILT.computeIfAbsent(dir, d -> {
        PretrainConfig config = Checkpoints.shared(d).config();
        try (SymMimTrainer fresh = new SymMimTrainer(config, TorchRuntime.device(dev.symmim.model.config.DeviceKind.CPU))) {
          return fresh.checkpoint();
        }
      });
    }
  }

  /** A checkpoint encoder's embedding (its read-out). */
  final class Predictor implements Embedder {
    private final EmbeddingPredictor predictor;

    Predictor(EmbeddingPredictor predictor) {
      this.predictor = predictor;
    }

    @Override
    public int dim() {
      return predictor.embeddingSize();
    }

    @Override
    public float[][] embed(byte[] pixels, int n, int height, int width) {
      return predictor.embed(pixels, n, height, width);
    }

    @Override
    public void close() {
      predictor.close();
    }
  }

  /** Pixels as a vector, standardized per channel, or centred on the mean image and scaled per channel. */
  final class Pixels implements Embedder {
    private final int size;
    private final int channels;
    private final float[] mean;
    private final float[] invStd;
    private final float[] meanImage;

    Pixels(int size, int channels, double[] mean, double[] std, float[] meanImage) {
      this.size = size;
      this.channels = channels;
      this.meanImage = meanImage;
      this.mean = new float[channels];
      this.invStd = new float[channels];
      for (int c = 0; c < channels; c++) {
        this.mean[c] = (float) mean[c]; // manifest statistics are in [0, 1]
        this.invStd[c] = (float) (1.0 / Math.max(std[c], 1e-6));
      }
    }

    @Override
    public int dim() {
      return size * size * channels;
    }

    @Override
    public float[][] embed(byte[] pixels, int n, int height, int width) {
      if (height != size || width != size) {
        throw new IllegalArgumentException("pixel vectors need " + size + "x" + size + " images, got " + height + "x" + width);
      }
      int d = dim();
      float[][] out = new float[n][d];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < d; j++) {
          int c = j % channels;
          float centre = meanImage == null ? mean[c] : meanImage[j];
          out[i][j] = ((pixels[i * d + j] & 0xff) / 255f - centre) * invStd[c];
        }
      }
      return out;
    }

    @Override
    public void close() {}
  }
}
