"""The SymMIM training step and the encoder's inference in plain PyTorch eager, for `symmim bench train|embed
--against=pytorch`: the same networks as symmim's DJL model (ViT with a Linear patch embedding over flattened
patches, mask token, fixed positions, pre-LN blocks; linear decoder; MoCo v3 projector/predictor with batch-
statistics BatchNorm; an EMA encoder + projector), the same losses (masked L1, InfoNCE 2*tau*CE), global-norm
clipping, AdamW (no decay on biases, norms, tokens) and a fused EMA update.

Protocol: argv[1] is a JSON config; the script prints one JSON line when ready ({"ready": ..., "parameters":
trainable parameter count}), then for each stdin line "train K" or "embed K" runs K steps (K forward passes)
and prints {"seconds": wall seconds}. "quit" ends it.
"""
import json
import os
import re
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d, heads, hidden):
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(d, eps=1e-6)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.norm2 = nn.LayerNorm(d, eps=1e-6)
        self.fc1 = nn.Linear(d, hidden)
        self.fc2 = nn.Linear(hidden, d)

    def forward(self, x):
        n, t, d = x.shape
        q, k, v = self.qkv(self.norm1(x)).reshape(n, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        a = ((q * (d // self.heads) ** -0.5) @ k.transpose(-2, -1)).softmax(-1)
        x = x + self.proj((a @ v).transpose(1, 2).reshape(n, t, d))
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x))))


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, tokens = c["dim"], (c["imageSize"] // c["patchSize"]) ** 2
        self.patch_embed = nn.Linear(c["patchSize"] ** 2 * c["channels"], d)
        self.cls_token = nn.Parameter(0.02 * torch.randn(1, 1, d))
        self.mask_token = nn.Parameter(0.02 * torch.randn(1, 1, d))
        self.register_buffer("positions", torch.randn(1, tokens, d))
        self.blocks = nn.ModuleList([Block(d, c["heads"], c["mlpRatio"] * d) for _ in range(c["depth"])])
        self.norm = nn.LayerNorm(d, eps=1e-6)

    def forward(self, patches, mask):
        x = self.patch_embed(patches)
        if mask is not None:
            x = x - x * mask + mask * self.mask_token
        x = x + self.positions
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], 1)
        for b in self.blocks:
            x = b(x)
        return self.norm(x)


def mlp(layers, d_in, hidden, d_out):
    mods = []
    for l in range(layers):
        a = d_in if l == 0 else hidden
        b = d_out if l == layers - 1 else hidden
        mods.append(nn.Linear(a, b, bias=False))
        mods.append(nn.BatchNorm1d(b, affine=l < layers - 1, track_running_stats=False))
        if l < layers - 1:
            mods.append(nn.ReLU())
    return nn.Sequential(*mods)


def patchify(images, p):
    n, h, w, c = images.shape
    return images.reshape(n, h // p, p, w // p, p, c).permute(0, 1, 3, 2, 4, 5).reshape(n, (h // p) * (w // p), p * p * c)


def info_nce(q, k, tau):
    q = F.normalize(q, dim=1, eps=1e-6)
    k = F.normalize(k, dim=1, eps=1e-6)
    logits = q @ k.t() / tau
    return 2 * tau * F.cross_entropy(logits, torch.arange(q.shape[0]))


def main():
    c = json.loads(sys.argv[1])
    torch.set_num_threads(c["threads"])
    torch.set_num_interop_threads(1)
    torch.manual_seed(c["seed"])
    n, s, ch, p = c["batchSize"], c["imageSize"], c["channels"], c["patchSize"]
    encoder = Encoder(c)
    decoder = nn.Linear(c["dim"], p * p * ch)
    projector = mlp(3, c["dim"], c["headHidden"], c["headOut"])
    predictor = mlp(2, c["headOut"], c["headHidden"], c["headOut"])
    momentum_encoder = Encoder(c)
    momentum_projector = mlp(3, c["dim"], c["headHidden"], c["headOut"])
    momentum_encoder.load_state_dict(encoder.state_dict())
    momentum_projector.load_state_dict(projector.state_dict())
    for m in (momentum_encoder, momentum_projector):
        m.requires_grad_(False)
    online = [encoder, projector, decoder, predictor]
    params = [q for m in online for q in m.parameters()]
    decay = [q for q in params if q.ndim == 2]  # linear weights; not biases, norms, tokens [1, 1, D]
    no_decay = [q for q in params if q.ndim != 2]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}],
                                  lr=c["lr"], betas=(0.9, 0.95), eps=1e-8)
    tracked = [q for m in (encoder, projector) for q in m.parameters()]
    ema = [q for m in (momentum_encoder, momentum_projector) for q in m.parameters()]
    grid = s // p
    block = c["maskBlock"]
    m1 = torch.tensor([[((i // block) + (j // block)) % 2 for j in range(grid)] for i in range(grid)],
                      dtype=torch.float32).reshape(1, grid * grid, 1).expand(n, -1, -1).contiguous()
    m2 = 1 - m1
    masked = int(m1.sum())
    mean = torch.tensor(c["mean"]).view(1, 1, 1, -1)
    std = torch.tensor(c["std"]).view(1, 1, 1, -1)
    view1 = torch.rand(n, s, s, ch)
    view2 = torch.rand(n, s, s, ch)
    pixels = (torch.rand(n, s, s, ch) * 255).to(torch.uint8)

    def train_step():
        x1 = patchify((view1 - mean) / std, p)
        x2 = patchify((view2 - mean) / std, p)
        with torch.no_grad():
            k2 = momentum_projector(momentum_encoder(x2, m2)[:, 0])
        tokens = encoder(x1, m1)
        reconstruction = decoder(tokens[:, 1:])
        mim = ((reconstruction - x1).abs() * m1).sum() / (masked * x1.shape[2])
        q = predictor(projector(tokens[:, 0]))
        loss = mim + c["contrastiveWeight"] * info_nce(q, k2, c["temperature"])
        optimizer.zero_grad(set_to_none=False)
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(params, 5.0)
        if not (torch.isfinite(loss) and torch.isfinite(norm)):  # the NaN guard's host sync
            return
        optimizer.step()
        with torch.no_grad():
            torch._foreach_mul_(ema, c["momentum"])
            torch._foreach_add_(ema, tracked, alpha=1 - c["momentum"])

    def embed_step():
        with torch.no_grad():
            x = pixels.float().div(255)
            tokens = encoder(patchify((x - mean) / std, p), None)
            return tokens[:, 0].contiguous()

    blas = re.search(r"BLAS_INFO=([^,]+)", torch.__config__.show())
    libblas = "/usr/lib/x86_64-linux-gnu/libblas.so.3"
    blas = (blas.group(1) if blas else "unknown") + (" -> " + os.path.realpath(libblas) if os.path.exists(libblas) else "")
    print(json.dumps({"ready": True, "torch": torch.__version__, "blas": blas, "threads": torch.get_num_threads(),
                      "parameters": sum(q.numel() for q in params)}), flush=True)
    for line in sys.stdin:
        cmd = line.split()
        if not cmd or cmd[0] == "quit":
            break
        step = train_step if cmd[0] == "train" else embed_step
        t0 = time.perf_counter()
        for _ in range(int(cmd[1])):
            step()
        print(json.dumps({"seconds": time.perf_counter() - t0}), flush=True)


if __name__ == "__main__":
    main()
