package dev.symmim.model.train;

import dev.symmim.model.vit.ParameterBuffer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.symmim.model.config.ContrastiveHeads;
import dev.symmim.model.config.Losses;
import dev.symmim.model.config.PretrainConfig;
import dev.symmim.model.heads.MlpHead;
import dev.symmim.model.loss.InfoNce;
import dev.symmim.model.random.SeededRandom;
import dev.symmim.model.vit.Linear;
import dev.symmim.model.vit.Parameter;
import dev.symmim.model.vit.ParameterFactory;
import dev.symmim.model.vit.StepContext;
import dev.symmim.model.vit.VisionTransformer;
import dev.symmim.model.vit.VitSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The SymMIM networks (METHOD.md section 2). Online: encoder f_q, linear reconstruction head D,
 * projector g_q, predictor h. Momentum: encoder f_k and projector g_k, an EMA of f_q and g_q (mask
 * token and patch embedding included) that never receives gradients. The heads read the encoder's
 * {@link ContrastiveHeads.Token} (CLS by default) on both branches; the contrastive query comes from the
 * masked online pass or, with {@link Losses.ContrastiveInput#CLEAN}, from an extra unmasked pass.
 */
public final class SymMimModel {
  private final PretrainConfig config;
  private final VisionTransformer encoder;
  private final Linear decoder;
  private final MlpHead projector;
  private final MlpHead predictor;
  private final VisionTransformer momentumEncoder;
  private final MlpHead momentumProjector;

  public SymMimModel(PretrainConfig config, NDManager manager, SeededRandom initRandom) {
    this.config = config;
    VitSpec spec = config.encoder();
    ParameterFactory online = new ParameterFactory(manager, initRandom, true);
    encoder = new VisionTransformer(online.scope("encoder"), spec);
    decoder = new Linear(online.scope("decoder"), spec.dim(), spec.patchPixels(), true);
    int projectorIn = config.heads().projectorIn(spec.dim());
    projector = MlpHead.projector(online.scope("projector"), projectorIn, config.heads().projectorHidden(), config.heads().projectorOut());
    predictor = MlpHead.predictor(online.scope("predictor"), config.heads().projectorOut(), config.heads().predictorHidden());
    ParameterFactory momentum = new ParameterFactory(manager, new SeededRandom(0), false);
    momentumEncoder = new VisionTransformer(momentum.scope("encoder"), spec);
    momentumProjector =
        MlpHead.projector(momentum.scope("projector"), projectorIn, config.heads().projectorHidden(), config.heads().projectorOut());
    for (Parameter[] pair : momentumPairs()) {
      ParameterBuffer.copyInto(pair[1].array(), pair[0].array().toFloatArray()); // not NDArray.set(float[]): libtorch warns
    }
  }

  /**
   * Parameters the optimizer updates, in a fixed order that starts with the EMA-tracked ones
   * (encoder, projector), so that they form a prefix of the packed buffer.
   */
  public List<Parameter> trainable() {
    List<Parameter> all = new ArrayList<>(encoder.parameters());
    all.addAll(projector.parameters());
    all.addAll(decoder.parameters());
    all.addAll(predictor.parameters());
    return all;
  }

  /** The EMA copies, in the same order as {@link #momentumPairs()}. */
  public List<Parameter> momentum() {
    List<Parameter> all = new ArrayList<>(momentumEncoder.parameters());
    all.addAll(momentumProjector.parameters());
    return all;
  }

  /** {online, momentum} parameter pairs for the EMA update. */
  public List<Parameter[]> momentumPairs() {
    List<Parameter> q = new ArrayList<>(encoder.parameters());
    q.addAll(projector.parameters());
    List<Parameter> k = momentum();
    List<Parameter[]> pairs = new ArrayList<>();
    for (int i = 0; i < q.size(); i++) {
      pairs.add(new Parameter[] {q.get(i), k.get(i)});
    }
    return pairs;
  }

  public VisionTransformer encoder() {
    return encoder;
  }

  public VisionTransformer momentumEncoder() {
    return momentumEncoder;
  }

  /**
   * Momentum branch: {@code k = g_k(readout(f_k(x, mask)))}, fp32 {@code (N, out)}; {@code mask} null
   * for an unmasked teacher. Call outside the gradient tape.
   */
  public NDArray momentumTargets(StepContext ctx, NDArray patches, NDArray mask) {
    NDArray tokens = momentumEncoder.forward(ctx, patches, mask);
    return momentumProjector.forward(ctx, readout(tokens)).toType(DataType.FLOAT32, false);
  }

  /**
   * Online branch losses. {@code patches2}/{@code k1} are used only with symmetric contrast
   * (MoCo v3 style: both views through both branches; L_con summed, L_mim averaged over the views).
   */
  LossParts losses(StepContext ctx, NDArray patches1, NDArray onlineMask, int maskedCount, NDArray k2,
      NDArray patches2, NDArray k1) {
    OnlineOutput out1 = online(ctx, patches1, onlineMask, maskedCount);
    NDArray mim = out1.mim;
    NDArray con = InfoNce.loss(ctx, out1.q, k2, config.losses().temperature());
    if (patches2 != null) {
      OnlineOutput out2 = online(ctx, patches2, onlineMask, maskedCount);
      mim = mim.add(out2.mim).mul(ctx.scalar(0.5));
      con = con.add(InfoNce.loss(ctx, out2.q, k1, config.losses().temperature()));
    }
    NDArray total = mim.add(con.mul(ctx.scalar(config.losses().contrastiveWeight())));
    return new LossParts(total, mim, con);
  }

  private record OnlineOutput(NDArray mim, NDArray q) {}

  /** L_mim of the masked pass and the query q: from the same pass, or from an unmasked one (clean input). */
  private OnlineOutput online(StepContext ctx, NDArray patches, NDArray mask, int maskedCount) {
    NDArray tokens = encoder.forward(ctx, patches, mask);
    NDArray reconstruction = decoder.forward(ctx, VisionTransformer.patchTokens(tokens))
        .toType(DataType.FLOAT32, false);
    NDArray mim = config.losses().reconstruction().compute(ctx, reconstruction, patches, mask, maskedCount);
    NDArray queryTokens = config.losses().contrastiveInput() == Losses.ContrastiveInput.CLEAN
        ? encoder.forward(ctx, patches, null)
        : tokens;
    NDArray q = predictor.forward(ctx, projector.forward(ctx, readout(queryTokens)))
        .toType(DataType.FLOAT32, false);
    return new OnlineOutput(mim, q);
  }

  /** The heads' input from encoder tokens {@code (N, 1 + L, D)}: CLS, patch mean, or both concatenated. */
  private NDArray readout(NDArray tokens) {
    switch (config.heads().token()) {
      case CLS:
        return VisionTransformer.cls(tokens);
      case MEAN:
        return patchMean(tokens);
      case CLS_MEAN:
        return NDArrays.concat(new NDList(VisionTransformer.cls(tokens), patchMean(tokens)), 1);
      default:
        throw new IllegalStateException("unknown contrastive token " + config.heads().token());
    }
  }

  private static NDArray patchMean(NDArray tokens) {
    return VisionTransformer.patchTokens(tokens).mean(new int[] {1});
  }
}
