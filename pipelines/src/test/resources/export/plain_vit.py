"""A plain-PyTorch ViT (no timm) with timm's VisionTransformer parameter names, for ExportParityIT.

Reads and writes safetensors with struct/json only (the safetensors package is not assumed), and
prints one JSON line with what it did. Commands:

  features DIR IMAGES N OUT        CLS features of N uint8 images (N x S x S x C) with DIR's
                                   model.safetensors + config.json, as float32 little-endian
  readme DIR SNIPPET IMAGES N OUT  the same through the plain-PyTorch block of DIR/README.md
                                   (SNIPPET), run as a user would (cwd = DIR)
  torch CONFIG SEED OUTDIR IMAGES N
                                   a ViT of CONFIG's architecture with seeded random weights (a learned
                                   pos_embed with a non-zero CLS row, non-trivial norms): torch.save of
                                   its state dict to OUTDIR/model.pt, that file converted to
                                   OUTDIR/model.safetensors (no metadata, as a public timm file), and
                                   its CLS features of the images to OUTDIR/features.f32
  resample TABLE ROWS COLS DIM TO_ROWS TO_COLS OUT
                                   timm's resample_abs_pos_embed of a [ROWS*COLS, DIM] float32 table:
                                   F.interpolate(mode="bicubic", antialias=True, align_corners=False)
"""
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    out = {}
    for name, t in header.items():
        assert t["dtype"] == "F32", (name, t["dtype"])
        begin, end = t["data_offsets"]
        arr = np.frombuffer(data, dtype="<f4", count=(end - begin) // 4, offset=8 + n + begin)
        out[name] = torch.from_numpy(arr.copy()).reshape(t["shape"])
    return out, meta


def write_safetensors(path, tensors, metadata=None):
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    offset = 0
    blobs = []
    for name, t in tensors.items():
        raw = t.detach().contiguous().to(torch.float32).numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        blobs.append(raw)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


class PatchEmbed(nn.Module):
    def __init__(self, p, c, d):
        super().__init__()
        self.proj = nn.Conv2d(c, d, kernel_size=p, stride=p)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class Attention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)

    def forward(self, x):
        n, t, d = x.shape
        q, k, v = self.qkv(x).reshape(n, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        a = (q * (d // self.heads) ** -0.5) @ k.transpose(-2, -1)
        return self.proj((a.softmax(-1) @ v).transpose(1, 2).reshape(n, t, d))


class Mlp(nn.Module):
    def __init__(self, d, hidden):
        super().__init__()
        self.fc1 = nn.Linear(d, hidden)
        self.fc2 = nn.Linear(hidden, d)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, d, heads, hidden, eps):
        super().__init__()
        self.norm1 = nn.LayerNorm(d, eps=eps)
        self.attn = Attention(d, heads)
        self.norm2 = nn.LayerNorm(d, eps=eps)
        self.mlp = Mlp(d, hidden)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class PlainViT(nn.Module):
    """timm's VisionTransformer(class_token=True, global_pool='token', num_classes=0), eval mode."""

    def __init__(self, cfg):
        super().__init__()
        d, p = cfg["embed_dim"], cfg["patch_size"]
        tokens = (cfg["img_size"] // p) ** 2
        eps = cfg.get("layer_norm_eps", 1e-6)
        self.patch_embed = PatchEmbed(p, cfg["in_chans"], d)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, d))
        self.pos_embed = nn.Parameter(torch.zeros(1, 1 + tokens, d))
        hidden = int(d * cfg["mlp_ratio"])
        self.blocks = nn.ModuleList([Block(d, cfg["num_heads"], hidden, eps) for _ in range(cfg["depth"])])
        self.norm = nn.LayerNorm(d, eps=eps)

    def forward(self, x):
        x = self.patch_embed(x)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embed
        for b in self.blocks:
            x = b(x)
        return self.norm(x)[:, 0]


def load_images(path, n, cfg):
    s, c = cfg["img_size"], cfg["in_chans"]
    raw = np.fromfile(path, dtype=np.uint8)
    assert raw.size == n * s * s * c, (raw.size, n, s, c)
    return raw.reshape(n, s, s, c)


def normalise(images, mean, std):
    x = torch.from_numpy(images.copy()).float().div(255).permute(0, 3, 1, 2)
    return (x - torch.tensor(mean).view(1, -1, 1, 1)) / torch.tensor(std).view(1, -1, 1, 1)


def save_features(path, f):
    f.detach().contiguous().numpy().astype("<f4").tofile(path)


def features(export_dir, images_path, n, out):
    cfg = json.load(open(os.path.join(export_dir, "config.json")))
    weights, meta = read_safetensors(os.path.join(export_dir, "model.safetensors"))
    model = PlainViT(cfg)
    encoder = {k: v for k, v in weights.items() if not (k.startswith("head.") or k.startswith("fc_norm."))}
    model.load_state_dict(encoder, strict=True)
    model.eval()
    with torch.no_grad():
        f = model(normalise(load_images(images_path, n, cfg), cfg["mean"], cfg["std"]))
    save_features(out, f)
    print(json.dumps({"features": list(f.shape), "tensors": len(weights), "metadata": meta}))


def readme(export_dir, snippet, images_path, n, out):
    os.chdir(export_dir)
    scope = {}
    exec(compile(open(snippet).read(), snippet, "exec"), scope)
    with torch.no_grad():
        f = scope["vit_features"](scope["w"], scope["cfg"],
                                  scope["normalise"](load_images(images_path, n, scope["cfg"])))
    save_features(out, f)
    print(json.dumps({"features": list(f.shape)}))


def make_torch_model(config_path, seed, out_dir, images_path, n):
    cfg = json.load(open(config_path))
    torch.manual_seed(seed)
    model = PlainViT(cfg)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm1.weight") or name.endswith("norm2.weight") or name == "norm.weight":
                p.copy_(1 + 0.1 * torch.randn_like(p))
            elif name.endswith(".bias") or name in ("cls_token", "pos_embed"):
                p.copy_(0.02 * torch.randn_like(p))
    model.eval()
    pt = os.path.join(out_dir, "model.pt")
    torch.save(model.state_dict(), pt)
    state = torch.load(pt)
    write_safetensors(os.path.join(out_dir, "model.safetensors"), state)
    with torch.no_grad():
        f = model(normalise(load_images(images_path, n, cfg), cfg["mean"], cfg["std"]))
    save_features(os.path.join(out_dir, "features.f32"), f)
    print(json.dumps({"features": list(f.shape), "tensors": len(state),
                      "cls_position_abs_max": float(state["pos_embed"][0, 0].abs().max())}))


def resample(table_path, rows, cols, dim, to_rows, to_cols, out):
    t = torch.from_numpy(np.fromfile(table_path, dtype="<f4")).reshape(1, rows, cols, dim).permute(0, 3, 1, 2)
    r = F.interpolate(t, size=(to_rows, to_cols), mode="bicubic", antialias=True, align_corners=False)
    save_features(out, r.permute(0, 2, 3, 1).reshape(-1))
    print(json.dumps({"resampled": [to_rows, to_cols, dim]}))


if __name__ == "__main__":
    torch.set_num_threads(1)
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "features":
        features(args[0], args[1], int(args[2]), args[3])
    elif cmd == "readme":
        readme(args[0], args[1], args[2], int(args[3]), args[4])
    elif cmd == "torch":
        make_torch_model(args[0], int(args[1]), args[2], args[3], int(args[4]))
    elif cmd == "resample":
        resample(args[0], *[int(a) for a in args[1:6]], args[6])
    else:
        raise SystemExit("unknown command " + cmd)
