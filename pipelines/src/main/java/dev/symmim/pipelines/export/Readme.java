package dev.symmim.pipelines.export;

import dev.symmim.model.vit.VitSpec;
import java.util.Arrays;

/**
 * The {@code README.md} of an export: what the files are, and Python that loads them in plain
 * PyTorch (no timm, no safetensors package: a 12-line reader and a functional ViT forward; the
 * parity test runs exactly this block) and in timm.
 */
final class Readme {
  /** The plain-PyTorch block: {@code load_safetensors(path)} and {@code vit_features(w, cfg, x)}. */
  static final String PLAIN_PYTORCH = """
      import json, struct, torch, torch.nn.functional as F

      def load_safetensors(path):
          with open(path, "rb") as f:
              data = f.read()
          n = struct.unpack("<Q", data[:8])[0]
          header = json.loads(data[8:8 + n])
          header.pop("__metadata__", None)
          out = {}
          for name, t in header.items():
              assert t["dtype"] == "F32", name
              begin, end = t["data_offsets"]
              buf = bytearray(data[8 + n + begin:8 + n + end])
              out[name] = torch.frombuffer(buf, dtype=torch.float32).reshape(t["shape"])
          return out

      def vit_features(w, cfg, x):
          \"""x: float32 [N, C, H, W], normalised; returns the CLS token after the final norm, [N, D].\"""
          D, H, eps = cfg["embed_dim"], cfg["num_heads"], cfg["layer_norm_eps"]
          x = F.conv2d(x, w["patch_embed.proj.weight"], w["patch_embed.proj.bias"], stride=cfg["patch_size"])
          x = x.flatten(2).transpose(1, 2)
          x = torch.cat([w["cls_token"].expand(x.shape[0], -1, -1), x], 1) + w["pos_embed"]
          for i in range(cfg["depth"]):
              p = lambda k: w[f"blocks.{i}.{k}"]
              h = F.layer_norm(x, (D,), p("norm1.weight"), p("norm1.bias"), eps)
              qkv = F.linear(h, p("attn.qkv.weight"), p("attn.qkv.bias"))
              q, k, v = qkv.reshape(x.shape[0], -1, 3, H, D // H).permute(2, 0, 3, 1, 4)
              a = ((q * (D // H) ** -0.5) @ k.transpose(-2, -1)).softmax(-1)
              x = x + F.linear((a @ v).transpose(1, 2).reshape(x.shape), p("attn.proj.weight"), p("attn.proj.bias"))
              h = F.layer_norm(x, (D,), p("norm2.weight"), p("norm2.bias"), eps)
              h = F.gelu(F.linear(h, p("mlp.fc1.weight"), p("mlp.fc1.bias")))
              x = x + F.linear(h, p("mlp.fc2.weight"), p("mlp.fc2.bias"))
          return F.layer_norm(x, (D,), w["norm.weight"], w["norm.bias"], eps)[:, 0]

      cfg = json.load(open("config.json"))
      w = load_safetensors("model.safetensors")

      def normalise(images):
          \"""uint8 [N, H, W, C] at cfg["img_size"] -> the encoder's input.\"""
          x = torch.as_tensor(images).float().div(255).permute(0, 3, 1, 2)
          return (x - torch.tensor(cfg["mean"]).view(1, -1, 1, 1)) / torch.tensor(cfg["std"]).view(1, -1, 1, 1)
      """;

  private Readme() {}

  static String of(ExportCommand.Info info) {
    VitSpec s = info.spec();
    StringBuilder b = new StringBuilder();
    b.append("# symmim encoder export\n\n");
    b.append(String.format("A ViT (%d px images, %d channel%s, patch %d, width %d, depth %d, %d heads, MLP ratio %d) "
        + "exported by `symmim export` from `%s` (%s checkpoint, %s encoder, step %d).%n%n", s.imageSize(),
        s.channels(), s.channels() == 1 ? "" : "s", s.patchSize(), s.dim(), s.depth(), s.heads(), s.mlpRatio(),
        info.source().get("checkpoint").asText(), info.source().get("kind").asText(),
        info.source().get("encoder").asText(), info.source().get("step").asLong()));
    b.append("- `model.safetensors`: float32 tensors named as timm's `VisionTransformer` state dict "
        + "(`patch_embed.proj.*` as a Conv2d kernel `[D, C, p, p]`, `cls_token`, `pos_embed [1, 1 + L, D]`, "
        + "`blocks.N.{norm1, attn.qkv, attn.proj, norm2, mlp.fc1, mlp.fc2}.*`, `norm.*`"
        + (info.numClasses() > 0 ? ", " + (info.meanPooling() ? "`fc_norm.*`, " : "") + "`head.*` (" + info.numClasses()
            + " classes)" : "") + ").\n");
    b.append("- `config.json`: the architecture (`timm_kwargs`), the input normalisation (`mean`, `std`: "
        + Arrays.toString(info.mean()) + " / " + Arrays.toString(info.std()) + ")"
        + (info.numClasses() > 0 ? (info.classNames() != null ? ", the class names" : "; the class names were not "
            + "reachable (the fine-tuning dataset's manifest)") : "") + ".\n");
    b.append(info.learnedPositions()
        ? "- `pos_embed` is a learned table the encoder was given at import (kept fixed); its row 0 (CLS) is zero.\n"
        : "- `pos_embed` is symmim's fixed 2-D sin-cos table; its row 0, the CLS position, is zero (symmim adds no "
            + "position to the CLS token), so timm computes exactly what symmim does.\n");
    b.append("\nInput: pixels in [0, 1], resized to " + s.imageSize() + "x" + s.imageSize() + ", `(x - mean) / std` per "
        + "channel, NCHW. The features symmim uses (`symmim embed --readout=cls`) are the CLS token after the final "
        + "LayerNorm.\n\n");
    b.append("## Plain PyTorch (no timm, no safetensors package)\n\n```python\n").append(PLAIN_PYTORCH)
        .append("\n# features = vit_features(w, cfg, normalise(images))\n```\n\n");
    b.append("## timm\n\n```python\nimport json, timm, torch\nfrom safetensors.torch import load_file\n\n"
        + "cfg = json.load(open(\"config.json\"))\n"
        + "model = timm.models.vision_transformer.VisionTransformer(**cfg[\"timm_kwargs\"])\n");
    if (info.meanPooling()) {
      b.append("# symmim normalises the tokens before the mean pool as well as after it (fc_norm); timm's avg pool\n"
          + "# with fc_norm drops the final norm, so put it back:\n"
          + "model.norm = torch.nn.LayerNorm(cfg[\"embed_dim\"], eps=cfg[\"layer_norm_eps\"])\n");
    }
    b.append("model.load_state_dict(load_file(\"model.safetensors\"), strict=True)\nmodel.eval()\n");
    b.append(info.numClasses() > 0
        ? "logits = model(x)  # x as above; class names: cfg[\"class_names\"]\n"
            + "features = model.forward_features(x)[:, 0]  # the CLS features\n"
        : "features = model(x)  # x as above: the CLS features (num_classes=0, global_pool='token')\n");
    b.append("```\n\n`symmim finetune --init=model.safetensors` and `symmim pretrain --init=model.safetensors` read it "
        + "back (heads and normalisation from the file's metadata).\n");
    return b.toString();
  }
}
