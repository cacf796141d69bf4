#!/usr/bin/env python3
"""Train deep4deep's CNN in PyTorch (on a GPU elsewhere) and write weights that
deep4deep loads unchanged (the model files use PyTorch's names and layouts,
docs/DESIGN.md §4.3).

    train_cnn.py MODEL_DIR FEATS_DIR LABELS [--epochs 20] [--batch 256]
                 [--lr 1e-3] [--device cuda] [--seed 1]
    train_cnn.py --score MODEL_DIR FEATS_DIR LABELS      # utterance scores, for parity checks

MODEL_DIR  a deep4deep model directory whose config.json fixes the features
           and the normalisation, e.g. from a one-epoch run on the same corpus:
           `deep4deep train --corpus ROOT --out MODEL_DIR --epochs 1 --frames-per-utt 1`.
           Its model.safetensors is replaced (atomically) by the trained weights.
FEATS_DIR  fbank features of the train set: `deep4deep features --corpus ROOT
           --set train --out FEATS_DIR` (one ID.npy per utterance).
LABELS     "ID genuine|bonafide|spoof" lines, e.g. from a 2019 protocol:
           awk '{print $2, $5}' ASVspoof2019.PA.cm.train.trn.txt > labels.txt

Every frame is one sample: its 64 x 17 context image (8 frames each side,
edges repeated) of the normalised features, labelled with its utterance's
class (0 = spoof, 1 = genuine); Adam, softmax cross-entropy, as deep4deep's
own trainer. Needs torch and numpy.
"""
import argparse, json, os, struct, sys, tempfile

import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F

HALF = 8


class Block(nn.Module):
    def __init__(self, cin, c, pool):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(cin, c, 3, padding=1), nn.BatchNorm2d(c)
        self.conv2, self.bn2 = nn.Conv2d(c, c, 3, padding=1), nn.BatchNorm2d(c)
        self.pool = pool

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        return F.max_pool2d(x, self.pool, self.pool)


class Net(nn.Module):
    """The seed network of docs/DESIGN.md §4.1, with deep4deep's tensor names."""
    CHANNELS = [4, 8, 16, 32, 64]
    POOLS = [(2, 1), (2, 1), (2, 2), (2, 2), (2, 2)]

    def __init__(self):
        super().__init__()
        cins = [1] + self.CHANNELS[:-1]
        for i, (cin, c, p) in enumerate(zip(cins, self.CHANNELS, self.POOLS), 1):
            setattr(self, f"block{i}", Block(cin, c, p))
        self.fc1, self.fc2, self.out = nn.Linear(256, 1024), nn.Linear(1024, 512), nn.Linear(512, 2)

    def forward(self, x):
        for i in range(1, 6):
            x = getattr(self, f"block{i}")(x)
        x = torch.flatten(x, 1)
        x = F.dropout(F.relu(self.fc1(x)), 0.25, self.training)
        return self.out(F.relu(self.fc2(x)))


def read_safetensors(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header, body = json.loads(raw[8:8 + n]), raw[8 + n:]
    out = {}
    for name, m in header.items():
        if name == "__metadata__":
            continue
        assert m["dtype"] == "F32", (name, m["dtype"])
        a, b = m["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(body[a:b], dtype="<f4").reshape(m["shape"]).copy())
    return out


def write_safetensors(path, tensors):
    """The safetensors format: 8-byte little-endian header size, JSON header,
    raw little-endian tensor bytes; written to a temporary file and renamed."""
    header, blobs, off = {}, [], 0
    for name in sorted(tensors):
        a = tensors[name].detach().cpu().contiguous().numpy().astype("<f4")
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [off, off + a.nbytes]}
        blobs.append(a.tobytes())
        off += a.nbytes
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), prefix=".model.safetensors.")
    with os.fdopen(fd, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def load(model_dir, feats_dir, labels_path):
    cfg = json.load(open(os.path.join(model_dir, "config.json")))
    norm = cfg.get("normalization")
    if cfg.get("kind") != "cnn" or not norm:
        sys.exit(f"{model_dir}/config.json: not a CNN model with a normalisation")
    mean, std = np.asarray(norm["mean"], np.float32), np.asarray(norm["std"], np.float32)
    utts = []
    for ln, line in enumerate(open(labels_path), 1):
        f = line.split()
        if not f:
            continue
        if len(f) < 2 or f[1] not in ("genuine", "bonafide", "bona-fide", "spoof"):
            sys.exit(f"{labels_path}:{ln}: want 'ID genuine|bonafide|spoof'")
        x = np.load(os.path.join(feats_dir, f[0] + ".npy")).astype(np.float32)
        if x.ndim != 2 or x.shape[1] != mean.size or x.shape[0] == 0:
            sys.exit(f"{feats_dir}/{f[0]}.npy: shape {x.shape}, want (frames, {mean.size})")
        utts.append((f[0], (x - mean) / std, 0 if f[1] == "spoof" else 1))
    return utts


def images(x, frames):
    """Context images (N x 1 x dims x 17) of the given frames of x."""
    idx = np.clip(frames[:, None] + np.arange(-HALF, HALF + 1)[None, :], 0, len(x) - 1)
    return torch.from_numpy(np.ascontiguousarray(x[idx].transpose(0, 2, 1)[:, None]))


def train(args):
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    utts = load(args.model_dir, args.feats, args.labels)
    # All frames in one array; a sample is (utterance, frame), its image cut
    # on the fly with the edges clamped to its utterance.
    allx = np.concatenate([x for _, x, _ in utts])
    lens = np.array([len(x) for _, x, _ in utts])
    offs = np.concatenate([[0], np.cumsum(lens)[:-1]])
    utt = np.repeat(np.arange(len(utts)), lens)
    frame = np.arange(len(allx)) - offs[utt]
    label = np.array([y for _, _, y in utts])[utt]
    dev = torch.device(args.device)
    net = Net().to(dev)
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    win = np.arange(-HALF, HALF + 1)[None, :]
    for epoch in range(1, args.epochs + 1):
        net.train()
        order, total = rng.permutation(len(allx)), 0.0
        for k in range(0, len(order), args.batch):
            sel = order[k:k + args.batch]
            u = utt[sel]
            rows = offs[u][:, None] + np.clip(frame[sel][:, None] + win, 0, lens[u][:, None] - 1)
            xb = torch.from_numpy(np.ascontiguousarray(allx[rows].transpose(0, 2, 1)[:, None])).to(dev)
            yb = torch.from_numpy(label[sel]).to(dev)
            loss = F.cross_entropy(net(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(sel)
        print(f"epoch {epoch}: train loss {total / len(allx):.4f}", file=sys.stderr)
    state = {k: v for k, v in net.state_dict().items() if not k.endswith("num_batches_tracked")}
    write_safetensors(os.path.join(args.model_dir, "model.safetensors"), state)


def score(args):
    """deep4deep's CNN utterance score: the mean over frames of
    log softmax(genuine) - log softmax(spoof), in eval mode."""
    net = Net()
    net.load_state_dict(read_safetensors(os.path.join(args.model_dir, "model.safetensors")), strict=False)
    net.eval()
    with torch.no_grad():
        for uid, x, _ in load(args.model_dir, args.feats, args.labels):
            lp = F.log_softmax(net(images(x, np.arange(len(x)))).double(), 1)
            print(uid, float((lp[:, 1] - lp[:, 0]).mean()))


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model_dir"), p.add_argument("feats"), p.add_argument("labels")
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--score", action="store_true", help="print utterance scores instead of training")
    a = p.parse_args()
    score(a) if a.score else train(a)
