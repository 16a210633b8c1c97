package dev.symmim.model.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.symmim.model.checkpoint.NamedTensor;
import dev.symmim.model.random.SeededRandom;
import dev.symmim.model.vit.LayerNorm;
import dev.symmim.model.vit.Linear;
import dev.symmim.model.vit.Module;
import dev.symmim.model.vit.Parameter;
import dev.symmim.model.vit.ParameterBuffer;
import dev.symmim.model.vit.ParameterFactory;
import dev.symmim.model.vit.Patches;
import dev.symmim.model.vit.StepContext;
import dev.symmim.model.vit.VisionTransformer;
import dev.symmim.model.vit.VitSpec;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A ViT image classifier (METHOD.md section 6): the SymMIM {@link VisionTransformer} encoder (no
 * mask token used), a read-out of its final LayerNorm-ed tokens ({@link HeadPooling#CLS}, or the
 * mean patch token followed by a fresh LayerNorm {@code fc_norm} as MAE's global pool), and a
 * linear head {@code D -> classes} initialised N(0, {@code head.initStd}) with zero bias.
 *
 * <p>Parameter names: {@code encoder.*} exactly as the pretraining model's encoder (a SymMIM
 * checkpoint stores them as {@code online/encoder.*} and {@code momentum/encoder.*}, see
 * {@link #loadEncoder}), then {@code fc_norm.*} (MEAN_PATCH only) and {@code head.*}. A random
 * encoder is initialised exactly as {@code SymMimModel}'s online encoder for the same seed; the
 * head draws from its own stream, so it does not depend on the encoder's size.
 */
public final class ImageClassifier extends Module {
  private static final long HEAD_STREAM = 0x68656164L; // "head"

  private final VitSpec spec;
  private final HeadPooling pooling;
  private final float[] channelMean;
  private final float[] channelStd;
  private final VisionTransformer encoder;
  private final LayerNorm fcNorm;
  private final Linear head;

  /**
   * Parameters in {@code manager}, not requiring gradients (a trainer packs them into a trainable
   * {@link ParameterBuffer}; inference uses them as they are).
   */
  public ImageClassifier(NDManager manager, FineTuneConfig config) {
    this.spec = config.encoder();
    this.pooling = config.head().pooling();
    this.channelMean = config.channelMean();
    this.channelStd = config.channelStd();
    encoder = register(new VisionTransformer(
        new ParameterFactory(manager, new SeededRandom(config.seed()), false).scope("encoder"), spec));
    SeededRandom headRandom = new SeededRandom(config.seed() ^ HEAD_STREAM);
    ParameterFactory headFactory = new ParameterFactory(manager, headRandom, false);
    fcNorm = pooling == HeadPooling.MEAN_PATCH ? register(new LayerNorm(headFactory.scope("fc_norm"), spec.dim())) : null;
    int classes = config.head().numClasses();
    head = register(new Linear(headFactory.scope("head"), spec.dim(), classes, true));
    float[] w = new float[classes * spec.dim()];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) (config.head().initStd() * headRandom.nextGaussian());
    }
    ParameterBuffer.copyInto(head.weight().array(), w);
  }

  public VisionTransformer encoder() {
    return encoder;
  }

  /**
   * Copies every encoder parameter from {@code tensors.get(prefix + name)}, e.g. prefix
   * {@code "online/"} or {@code "momentum/"} of a SymMIM checkpoint. Fails with an
   * {@link IllegalArgumentException} naming the tensor (and both shapes) when one is missing or
   * has another shape, and when the tensors hold encoder weights this encoder has no place for
   * (e.g. a deeper checkpoint): never a silent partial load.
   */
  public void loadEncoder(Map<String, NamedTensor> tensors, String prefix) {
    copyFrom(encoder.parameters(), tensors, prefix);
    TreeSet<String> unused = new TreeSet<>();
    for (String name : tensors.keySet()) {
      if (name.startsWith(prefix + "encoder.")) {
        unused.add(name);
      }
    }
    for (Parameter p : encoder.parameters()) {
      unused.remove(prefix + p.name());
    }
    if (!unused.isEmpty()) {
      throw new IllegalArgumentException("checkpoint tensor " + unused.first() + " has no counterpart in this encoder "
          + spec + " (" + unused.size() + " such tensors)");
    }
  }

  /** Copies every parameter (encoder and head) from {@code tensors.get(prefix + name)}, checked as {@link #loadEncoder}. */
  public void load(Map<String, NamedTensor> tensors, String prefix) {
    copyFrom(parameters(), tensors, prefix);
  }

  private static void copyFrom(List<Parameter> params, Map<String, NamedTensor> tensors, String prefix) {
    for (Parameter p : params) {
      String name = prefix + p.name();
      Shape expected = p.array().getShape();
      NamedTensor t = tensors.get(name);
      if (t == null) {
        throw new IllegalArgumentException("checkpoint has no tensor " + name + " (model shape " + expected + ")");
      }
      if (!new Shape(t.shape()).equals(expected)) {
        throw new IllegalArgumentException(name + ": checkpoint shape " + new Shape(t.shape()) + " != model shape "
            + expected);
      }
    }
    for (Parameter p : params) {
      ParameterBuffer.copyInto(p.array(), tensors.get(prefix + p.name()).data());
    }
  }

  /** The encoder's final LayerNorm-ed tokens {@code (N, 1 + L, D)} of images {@code (N, H, W, C)} in [0, 1], no drop-path. */
  public NDArray encoderTokens(StepContext ctx, NDArray images) {
    return encoder.forward(ctx, patches(ctx, images), null);
  }

  private NDArray patches(StepContext ctx, NDArray images) {
    int c = spec.channels();
    NDArray mean = ctx.create(channelMean, new Shape(c));
    NDArray std = ctx.create(channelStd, new Shape(c));
    return Patches.patchify(images.sub(mean).div(std), spec.patchSize());
  }

  /**
   * Class logits {@code (N, classes)} of images {@code (N, H, W, C)} in [0, 1] at the encoder's
   * size: normalized with the config's channel statistics, patchified, encoded (no mask), read out.
   *
   * @param residualScales drop-path multipliers per block (see {@link VisionTransformer#encode}), null in eval mode
   */
  public NDArray logits(StepContext ctx, NDArray images, List<NDArray[]> residualScales) {
    NDArray tokens = encoder.encode(ctx, patches(ctx, images), null, residualScales).tokens();
    NDArray feature = pooling == HeadPooling.CLS ? VisionTransformer.cls(tokens)
        : fcNorm.forward(ctx, VisionTransformer.patchTokens(tokens).mean(new int[] {1}));
    return head.forward(ctx, feature);
  }
}
