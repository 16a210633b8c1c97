package dev.symmim.pipelines.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.symmim.model.checkpoint.Checkpoint;
import dev.symmim.model.checkpoint.NamedTensor;
import dev.symmim.model.checkpoint.Safetensors;
import dev.symmim.model.checkpoint.TensorArchive;
import dev.symmim.model.checkpoint.TimmVitWeights;
import dev.symmim.model.finetune.FineTuneConfig;
import dev.symmim.model.finetune.FineTuneState;
import dev.symmim.model.finetune.HeadPooling;
import dev.symmim.model.vit.PositionEmbedding;
import dev.symmim.model.vit.VitSpec;
import dev.symmim.pipelines.options.BranchFlag;
import dev.symmim.pipelines.options.Flags;
import dev.symmim.pipelines.options.OptionDocs;
import dev.symmim.transforms.dataset.DatasetManifest;
import dev.symmim.transforms.finetune.FinetuneCheckpoint;
import dev.symmim.transforms.io.Locations;
import dev.symmim.transforms.training.Checkpoints;
import dev.symmim.transforms.training.EncoderFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.io.FileSystems;

/**
 * {@code symmim export}: the encoder of a pretraining or fine-tuning checkpoint (and a fine-tuned
 * classifier's head) as a timm {@code VisionTransformer} state dict in {@code model.safetensors}
 * (names and layouts: {@link TimmVitWeights}), with {@code config.json} (architecture, input
 * normalisation, class names) and a {@code README.md} with the Python lines that load it. No pipeline.
 */
public final class ExportCommand {
  public static final String WEIGHTS_FILE = "model.safetensors";
  public static final String CONFIG_FILE = "config.json";
  public static final String README_FILE = "README.md";
  static final double LAYER_NORM_EPS = 1e-6;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ExportCommand() {}

  /** What one export writes. */
  public record Export(List<NamedTensor> tensors, Map<String, String> metadata, String configJson, String readme) {}

  static void validate(ExportOptions o) {
    OptionDocs.requireAll(o, ExportOptions.class);
    Flags.check(!o.getOutput().contains("://") || o.getOutput().startsWith("gs://"), "output", o.getOutput(),
        "must be a local directory or gs://bucket/path");
  }

  /** Exports and prints what was written; returns the output directory. */
  public static String run(ExportOptions o) throws IOException {
    validate(o);
    FileSystems.setDefaultPipelineOptions(o);
    String location;
    try {
      location = Checkpoints.locate(o.getCheckpoint());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--checkpoint=" + o.getCheckpoint() + ": " + e.getMessage(), e);
    }
    Export export = export(Checkpoints.local(location), location, o.getEncoder());
    String out = Locations.absolute(o.getOutput()).replaceAll("/+$", "");
    if (!Locations.isUri(out)) {
      Files.createDirectories(Path.of(out));
    }
    byte[] weights = Safetensors.write(export.tensors(), export.metadata());
    Locations.write(Locations.child(out, WEIGHTS_FILE), weights);
    Locations.write(Locations.child(out, CONFIG_FILE), export.configJson().getBytes(StandardCharsets.UTF_8));
    Locations.write(Locations.child(out, README_FILE), export.readme().getBytes(StandardCharsets.UTF_8));
    System.out.printf("export: %d tensors (%.1f MB) of the %s encoder of %s -> %s (+ %s, %s)%n", export.tensors().size(),
        weights.length / 1e6, o.getEncoder(), location, Locations.child(out, WEIGHTS_FILE), CONFIG_FILE, README_FILE);
    return out;
  }

  /**
   * The export of the checkpoint in the local directory {@code dir} (found at {@code location}): a
   * fine-tuning checkpoint (it holds {@code online/head.weight}) gives encoder + head, a pretraining
   * one the {@code branch} encoder.
   */
  public static Export export(Path dir, String location, BranchFlag branch) throws IOException {
    Map<String, NamedTensor> tensors = TensorArchive.read(dir.resolve(Checkpoint.TENSORS_FILE));
    boolean finetuned = tensors.containsKey(FineTuneState.PARAMETERS + "head.weight");
    ObjectNode source = JSON.createObjectNode();
    source.put("checkpoint", location);
    source.put("model_id", Checkpoints.modelId(dir, branch.name()));
    if (finetuned) {
      Flags.check(branch == BranchFlag.online, "encoder", branch, "is not in a fine-tuning checkpoint (it has only "
          + "the online encoder)");
      FineTuneState state = FinetuneCheckpoint.load(dir);
      FineTuneConfig config = state.config();
      VitSpec spec = config.encoder();
      boolean learned = state.tensors().containsKey(FineTuneState.POSITIONS);
      float[] positions = learned ? state.tensor(FineTuneState.POSITIONS).data()
          : PositionEmbedding.sinCos2d(spec.dim(), spec.grid());
      List<NamedTensor> out = new ArrayList<>(TimmVitWeights.export(state.tensors(), FineTuneState.PARAMETERS, spec,
          positions));
      boolean mean = config.head().pooling() == HeadPooling.MEAN_PATCH;
      if (mean) {
        out.add(renamed(state.tensor(FineTuneState.PARAMETERS + "fc_norm.weight"), "fc_norm.weight"));
        out.add(renamed(state.tensor(FineTuneState.PARAMETERS + "fc_norm.bias"), "fc_norm.bias"));
      }
      out.add(renamed(state.tensor(FineTuneState.PARAMETERS + "head.weight"), "head.weight"));
      out.add(renamed(state.tensor(FineTuneState.PARAMETERS + "head.bias"), "head.bias"));
      source.put("kind", "finetune");
      source.put("encoder", "online");
      source.put("step", state.state().step());
      List<String> classes = classNames(location);
      Info info = new Info(spec, config.channelMean(), config.channelStd(), learned, config.head().numClasses(), mean,
          classes, source);
      return new Export(out, metadata(info), configJson(info), Readme.of(info));
    }
    Checkpoint c = Checkpoint.load(dir);
    VitSpec spec = c.config().encoder();
    String prefix = branch == BranchFlag.online ? "online/" : "momentum/";
    List<NamedTensor> out = TimmVitWeights.export(c.tensors(), prefix, spec,
        PositionEmbedding.sinCos2d(spec.dim(), spec.grid()));
    source.put("kind", "pretrain");
    source.put("encoder", branch.name());
    source.put("step", c.state().step());
    Info info = new Info(spec, c.config().normalization().mean(), c.config().normalization().std(), false, 0, false,
        null, source);
    return new Export(out, metadata(info), configJson(info), Readme.of(info));
  }

  /** The facts config.json, the metadata and the README are written from. */
  record Info(VitSpec spec, float[] mean, float[] std, boolean learnedPositions, int numClasses, boolean meanPooling,
      List<String> classNames, ObjectNode source) {
    String globalPool() {
      return meanPooling ? "avg" : "token";
    }
  }

  /** The fine-tuning run's class names, from the manifest of the dataset its run.json names; null if unreachable. */
  static List<String> classNames(String checkpointLocation) {
    String data = Checkpoints.trainingData(checkpointLocation);
    if (data == null) {
      return null;
    }
    try {
      List<String> classes = DatasetManifest.readFrom(data).classes();
      return classes == null ? null : List.copyOf(classes);
    } catch (IOException | RuntimeException e) {
      return null; // the dataset moved or is unreadable: exported without names, as the README says
    }
  }

  static Map<String, String> metadata(Info info) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("format", "pt");
    m.put(EncoderFiles.META_NUM_HEADS, String.valueOf(info.spec().heads()));
    m.put(EncoderFiles.META_IMG_SIZE, String.valueOf(info.spec().imageSize()));
    m.put(EncoderFiles.META_MEAN, floats(info.mean()).toString());
    m.put(EncoderFiles.META_STD, floats(info.std()).toString());
    m.put(EncoderFiles.META_POS_EMBED, info.learnedPositions() ? "learned" : "sincos");
    m.put("global_pool", info.globalPool());
    m.put("source", info.source().get("checkpoint").asText());
    return m;
  }

  static String configJson(Info info) throws IOException {
    VitSpec s = info.spec();
    ObjectNode root = JSON.createObjectNode();
    root.put("architecture", "vit");
    root.put("model_class", "timm.models.vision_transformer.VisionTransformer");
    ObjectNode kwargs = root.putObject("timm_kwargs");
    kwargs.put("img_size", s.imageSize());
    kwargs.put("patch_size", s.patchSize());
    kwargs.put("in_chans", s.channels());
    kwargs.put("embed_dim", s.dim());
    kwargs.put("depth", s.depth());
    kwargs.put("num_heads", s.heads());
    kwargs.put("mlp_ratio", (double) s.mlpRatio());
    kwargs.put("qkv_bias", true);
    kwargs.put("class_token", true);
    kwargs.put("global_pool", info.globalPool());
    kwargs.put("fc_norm", info.meanPooling());
    kwargs.put("num_classes", info.numClasses());
    root.put("img_size", s.imageSize());
    root.put("patch_size", s.patchSize());
    root.put("in_chans", s.channels());
    root.put("embed_dim", s.dim());
    root.put("depth", s.depth());
    root.put("num_heads", s.heads());
    root.put("mlp_ratio", (double) s.mlpRatio());
    root.put("class_token", true);
    root.put("global_pool", info.globalPool());
    root.put("num_classes", info.numClasses());
    root.put("layer_norm_eps", LAYER_NORM_EPS);
    root.put("act_layer", "gelu (exact, erf)");
    root.set("mean", floats(info.mean()));
    root.set("std", floats(info.std()));
    root.put("input", "float32 NCHW: pixels in [0, 1] at img_size x img_size (resize first), then (x - mean) / std "
        + "per channel");
    root.put("pos_embed", info.learnedPositions()
        ? "learned table imported from a timm checkpoint (fixed during fine-tuning); row 0 (CLS) is zero"
        : "fixed 2-D sin-cos (MAE's get_2d_sincos_pos_embed); row 0, the CLS position, is zero: symmim's CLS token has "
            + "no position");
    root.put("features", "CLS token after the final LayerNorm = symmim embed --readout=cls"
        + (info.numClasses() > 0 ? "; logits = head(" + (info.meanPooling() ? "fc_norm(mean of the normed patch "
            + "tokens)" : "CLS") + ")" : ""));
    if (info.meanPooling()) {
      root.put("timm_note", "symmim applies the final norm before the mean pool and fc_norm after it; timm's "
          + "global_pool='avg' with fc_norm replaces norm by Identity: set model.norm = nn.LayerNorm(embed_dim, eps=1e-6) "
          + "after creating the model (README.md)");
    }
    if (info.classNames() != null) {
      ArrayNode names = root.putArray("class_names");
      info.classNames().forEach(names::add);
    } else if (info.numClasses() > 0) {
      root.putNull("class_names");
    }
    root.set("source", info.source());
    return JSON.writeValueAsString(root) + "\n";
  }

  private static ArrayNode floats(float[] values) {
    ArrayNode a = JSON.createArrayNode();
    for (float v : values) {
      a.add(v);
    }
    return a;
  }

  private static NamedTensor renamed(NamedTensor t, String name) {
    return new NamedTensor(name, t.shape().clone(), t.data().clone());
  }

  /** Formats the shapes of {@code tensors} for a log line or a test message. */
  static String shapes(List<NamedTensor> tensors) {
    StringBuilder b = new StringBuilder();
    for (NamedTensor t : tensors) {
      b.append(t.name()).append(Arrays.toString(t.shape())).append('\n');
    }
    return b.toString();
  }
}
