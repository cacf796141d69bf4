#!/usr/bin/python3
"""PyTorch version of any deep4deep architecture (nn.Arch JSON, nn/archs/*.json):
the parity fixture generator and the speed reference.

  torch_arch.py fixture ARCH.json INIT.safetensors OUT.safetensors BATCH WIDTH SEED
      builds the network of ARCH.json with dropout off, loads the initial
      weights INIT (deep4deep names and layouts), makes a batch of BATCH inputs
      of WIDTH frames with a realistic spread (seeded), and writes OUT with:
        x, y                  the batch (N x H x W float32, labels int64)
        loss                  the training loss of each of 3 steps (F64[3])
        grad.NAME             every parameter's gradient in step 1
        step3.NAME            every tensor (parameters and running statistics)
                              after 3 Adam steps (lr 1e-3) on the batch
        logits                eval-mode logits after the 3 steps (N x classes)
  torch_arch.py bench ARCH.json THREADS BATCH WIDTH
      training-step and inference throughput (samples/s) and, for an utterance
      network, scoring throughput in audio seconds per second at a 10 ms hop;
      one JSON line. Run it with LD_PRELOAD=libjemalloc.so.2
      MALLOC_CONF=dirty_decay_ms:-1,muzzy_decay_ms:-1 for PyTorch's best case.

The semantics match package nn layer by layer (nn/layer.go): conv k x k
stride 1 SAME/VALID with bias, max-feature-map (first half wins ties),
batch norm with or without affine parameters (momentum 0.1, eps 1e-5), max
and average pools with stride = size, dropout, flatten, time pooling (mean;
mean+std with sqrt(var + 1e-5); attentive statistics pooling), dense, and a
softmax cross-entropy or, for one output, a sigmoid binary cross-entropy.
Needs Debian's python3-torch and python3-numpy."""
import json, statistics, struct, sys, time
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F

STATS_EPS = 1e-5


class MFM(nn.Module):
    def forward(self, x):
        n, c = x.shape[0], x.shape[1]
        return x.view(n, 2, c // 2, *x.shape[2:]).max(1)[0]


class BN(nn.modules.batchnorm._BatchNorm):
    """Batch norm over channel dim 1 of a map (N,C,H,W) or a vector (N,C)."""
    def _check_input_dim(self, x):
        pass


class TimePool(nn.Module):
    def __init__(self, mode, feat=0, hidden=0):
        super().__init__()
        self.mode = mode
        if mode == "attentive":
            self.attention = nn.Sequential(nn.Linear(feat, hidden), nn.Tanh(), nn.Linear(hidden, 1))

    def forward(self, x):  # N x C x H x T
        x = x.flatten(1, 2)  # N x F x T
        if self.mode == "mean":
            return x.mean(-1)
        if self.mode == "meanstd":
            mu = x.mean(-1, keepdim=True)
            sd = torch.sqrt(((x - mu) ** 2).mean(-1) + STATS_EPS)
            return torch.cat([mu.squeeze(-1), sd], 1)
        h = x.transpose(1, 2)  # N x T x F
        a = torch.softmax(self.attention(h), dim=1)  # N x T x 1
        mu = (a * h).sum(1)
        sd = torch.sqrt((a * (h - mu.unsqueeze(1)) ** 2).sum(1) + STATS_EPS)
        return torch.cat([mu, sd], 1)


def put(root, path, mod):
    parts = path.split(".")
    m = root
    for p in parts[:-1]:
        if not hasattr(m, p):
            m.add_module(p, nn.Module())
        m = getattr(m, p)
    m.add_module(parts[-1], mod)


class ArchNet(nn.Module):
    def __init__(self, arch, dropout=True):
        super().__init__()
        self.arch = arch
        layers = arch.get("layers") or expand_blocks(arch)
        width = arch.get("input_width") or 64
        shape = (1, arch["input_height"], width)  # C, H, W of one sample
        self.steps = []
        for s in layers:
            t = s["type"]
            c, h, w = shape
            if t == "conv":
                k = s["kernel"]
                pad = k // 2 if s.get("padding", "same") == "same" else 0
                m = nn.Conv2d(c, s["out"], k, padding=pad)
                shape = (s["out"], h + 2 * pad - k + 1, w + 2 * pad - k + 1)
            elif t == "mfm":
                m = MFM(); shape = (c // 2, h, w)
            elif t == "batchnorm":
                m = BN(c, affine=s.get("affine", True))
            elif t == "relu":
                m = nn.ReLU()
            elif t in ("maxpool", "avgpool"):
                ph, pw = s["size"]
                m = (nn.MaxPool2d if t == "maxpool" else nn.AvgPool2d)((ph, pw))
                shape = (c, h // ph, w // pw)
            elif t == "dropout":
                m = nn.Dropout(s["p"] if dropout else 0.0)
            elif t == "flatten":
                m = nn.Flatten(); shape = (c * h * w, 1, 1)
            elif t == "timepool":
                m = TimePool(s["mode"], c * h, s.get("hidden", 0))
                shape = ((1 if s["mode"] == "mean" else 2) * c * h, 1, 1)
            elif t == "dense":
                m = nn.Linear(c, s["out"]); shape = (s["out"], 1, 1)
            else:
                raise SystemExit(f"unknown layer type {t}")
            if s.get("name"):
                put(self, s["name"], m)
            self.steps.append(m)

    def forward(self, x):  # N x H x W
        x = x.unsqueeze(1)
        for m in self.steps:
            x = m(x)
        return x

    def loss(self, z, y):
        if z.shape[1] == 1:
            return F.binary_cross_entropy_with_logits(z[:, 0], y.to(z.dtype))
        return F.cross_entropy(z, y)


def expand_blocks(a):
    ls = []
    for bi, b in enumerate(a["blocks"], 1):
        for j, c in enumerate(b["channels"], 1):
            ls += [{"type": "conv", "name": f"block{bi}.conv{j}", "out": c, "kernel": 3},
                   {"type": "batchnorm", "name": f"block{bi}.bn{j}"}, {"type": "relu"}]
        ls.append({"type": "maxpool", "size": [b["pool_h"], b["pool_w"]]})
    ls.append({"type": "flatten"})
    for i, d in enumerate(a.get("dense") or [], 1):
        ls += [{"type": "dense", "name": f"fc{i}", "out": d["units"]}, {"type": "relu"}]
        if d.get("dropout"):
            ls.append({"type": "dropout", "p": d["dropout"]})
    ls.append({"type": "dense", "name": "out", "out": a["classes"]})
    return ls


def read_safetensors(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    body = raw[8 + n:]
    dt = {"F32": np.float32, "F64": np.float64, "I64": np.int64}
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        a, b = meta["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(body[a:b], dtype=dt[meta["dtype"]]).reshape(meta["shape"]).copy())
    return out


def write_safetensors(path, tensors):
    dt = {np.dtype(np.float32): "F32", np.dtype(np.float64): "F64", np.dtype(np.int64): "I64"}
    header, blobs, off = {}, [], 0
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name])
        b = a.tobytes()
        header[name] = {"dtype": dt[a.dtype], "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def batch(arch, n, width, seed):
    """Inputs with a realistic spread: smooth in time and across dimensions
    (like normalised features), per-sample gain and offset, and a class-
    dependent tilt so that the logits depend on the input."""
    g = np.random.default_rng(seed)
    h = arch["input_height"]
    y = np.arange(n) % 2
    x = g.standard_normal((n, h, width))
    k = np.array([0.25, 0.5, 0.25])
    for _ in range(2):
        x = (x + np.roll(x, 1, 2) + np.roll(x, -1, 2)) / 3 + 0.3 * (np.roll(x, 1, 1) - x)
    x /= x.std()
    tilt = np.linspace(-1, 1, h)[None, :, None]
    x = x * g.uniform(0.5, 2.0, (n, 1, 1)) + g.normal(0, 0.5, (n, h, 1)) + 0.8 * (2 * y[:, None, None] - 1) * tilt
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.int64)


def fixture(arch_path, init_path, out_path, n, width, seed):
    torch.manual_seed(0)
    arch = json.load(open(arch_path))
    net = ArchNet(arch, dropout=False)
    init = read_safetensors(init_path)
    missing, unexpected = net.load_state_dict(init, strict=False)
    missing = [m for m in missing if not m.endswith("num_batches_tracked")]
    if missing or unexpected:
        raise SystemExit(f"state dict mismatch: missing {missing}, unexpected {unexpected}")
    x, y = batch(arch, n, width, seed)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    out = {"x": x.numpy(), "y": y.numpy()}
    losses = []
    net.train()
    for step in range(3):
        opt.zero_grad()
        loss = net.loss(net(x), y)
        loss.backward()
        losses.append(loss.item())
        if step == 0:
            for name, p in net.named_parameters():
                out["grad." + name] = p.grad.detach().numpy().copy()
        opt.step()
    for name, t in net.state_dict().items():
        if not name.endswith("num_batches_tracked"):
            out["step3." + name] = t.detach().numpy().copy()
    out["loss"] = np.array(losses, dtype=np.float64)
    net.eval()
    with torch.no_grad():
        out["logits"] = net(x).numpy()
    write_safetensors(out_path, out)


def med(fn, warm=3, n=10):
    for _ in range(warm):
        fn()
    ts = []
    for _ in range(n):
        t = time.perf_counter(); fn(); ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def bench(arch_path, threads, n, width):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    arch = json.load(open(arch_path))
    net = ArchNet(arch)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    x, y = batch(arch, n, width, 1)

    def step():
        opt.zero_grad()
        net.loss(net(x), y).backward()
        opt.step()
    net.train()
    t_train = med(step)
    net.eval()
    with torch.no_grad():
        t_infer = med(lambda: net(x))
    res = {"arch": arch.get("name", arch_path), "threads": threads, "batch": n, "width": width,
           "train_samples_per_s": n / t_train, "infer_samples_per_s": n / t_infer}
    if arch.get("input") == "utterance":
        # Scoring: one 3 s utterance (300 frames at a 10 ms hop) per call.
        u, _ = batch(arch, 1, 300, 2)
        with torch.no_grad():
            res["score_audio_s_per_s"] = 3.0 / med(lambda: net(u))
    print(json.dumps(res))


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "fixture" and len(sys.argv) == 8:
        fixture(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7]))
    elif cmd == "bench" and len(sys.argv) == 6:
        bench(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    else:
        raise SystemExit(__doc__)
