#!/usr/bin/python3
"""Makes the CNN parity fixture of model_test.go, independently of the Go code:
a model directory written by PyTorch (random weights of the seed network (DESIGN §4.1) from
../shared/bench/torch_cnn.py, with non-trivial batch-norm statistics), a test
WAV, and the score that NumPy + PyTorch compute for it:

  seed_fbank (../shared/bench/ref_fbank.py) -> (x - mean) / std with the stored
  normalisation -> 64x17 context images (edges repeat the first/last frame) ->
  eval-mode network -> mean over frames of log_softmax[genuine] - log_softmax[spoof]

Run from the repository root:
  /usr/bin/python3 model/testdata/make_fixture.py ../shared/bench model/testdata
Writes OUT/cnn/{config.json,model.safetensors}, OUT/cnn.wav, OUT/cnn-expected.json.
"""
import json, os, struct, sys
import numpy as np
import soundfile as sf
import torch

bench, out = sys.argv[1], sys.argv[2]
sys.path.insert(0, bench)
from ref_fbank import seed_fbank  # noqa: E402
from torch_cnn import Net  # noqa: E402

torch.manual_seed(20171)
rng = np.random.default_rng(20171)

# A 1.2 s test signal at 16 kHz: a gliding harmonic tone plus noise, 16-bit.
sr, n = 16000, 19200
t = np.arange(n) / sr
f0 = 140 + 60 * t
sig = sum(0.2 / k * np.sin(2 * np.pi * k * np.cumsum(f0) / sr) for k in range(1, 8))
sig = sig * (0.5 + 0.5 * np.sin(2 * np.pi * 1.5 * t)) + 0.01 * rng.standard_normal(n)
pcm = np.clip(np.round(sig * 32768), -32768, 32767).astype(np.int16)
wav = os.path.join(out, "cnn.wav")
sf.write(wav, pcm, sr, subtype="PCM_16")
x, sr2 = sf.read(wav)  # float64, int16 / 32768, as the seed read audio
assert sr2 == sr

fb = seed_fbank(x, sr).astype(np.float32)  # frames x 64
inner = fb[3:-3].astype(np.float64)  # normalisation leaves out 3 + 3 edge frames
mean = inner.mean(0).astype(np.float32)
std = inner.std(0).astype(np.float32)

norm = (fb - mean) / std
T = norm.shape[0]
idx = np.clip(np.arange(T)[:, None] + np.arange(-8, 9)[None, :], 0, T - 1)  # T x 17
images = norm[idx].transpose(0, 2, 1).copy()  # T x 64 x 17: [dim][time]

# Random weights, but batch-norm running statistics measured on these very
# images (cumulative average over one pass in training mode), so that the
# activations are well scaled and the output depends on the input frame by
# frame; then random batch-norm scales and shifts, and an output layer scaled
# so that per-frame logit differences spread over several units.
net = Net()
x_all = torch.from_numpy(images).reshape(-1, 1, 64, 17)
with torch.no_grad():
    for mod in net.modules():
        if isinstance(mod, torch.nn.BatchNorm2d):
            mod.momentum = None
            mod.reset_running_stats()
            mod.weight.uniform_(0.7, 1.3)
            mod.bias.uniform_(-0.1, 0.1)
    net.train()
    net(x_all)
    net.eval()
    d = net(x_all)
    d = d[:, 1] - d[:, 0]
    net.out.weight.mul_(2.0 / float(d.std()))
    net.out.bias.zero_()
with torch.no_grad():
    logits = net(torch.from_numpy(images).reshape(-1, 1, 64, 17))
    ls = torch.log_softmax(logits.double(), dim=1)
score = float((ls[:, 1] - ls[:, 0]).mean())

# model.safetensors: PyTorch names and layouts (DESIGN §4.3), F32.
mdir = os.path.join(out, "cnn")
os.makedirs(mdir, exist_ok=True)
tensors = {k: v.detach().numpy().astype(np.float32) for k, v in net.state_dict().items()
           if not k.endswith("num_batches_tracked")}
header, body, off = {}, b"", 0
for k in sorted(tensors):
    b = np.ascontiguousarray(tensors[k]).tobytes()
    header[k] = {"dtype": "F32", "shape": list(tensors[k].shape), "data_offsets": [off, off + len(b)]}
    body += b
    off += len(b)
header["__metadata__"] = {"format": "pt", "made_by": "model/testdata/make_fixture.py"}
h = json.dumps(header, separators=(",", ":")).encode()
h += b" " * (-len(h) % 8)
with open(os.path.join(mdir, "model.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h + body)

arch = {"input_height": 64, "input_width": 17,
        "blocks": [{"channels": [c, c], "pool_h": 2, "pool_w": p} for c, p in
                   [(4, 1), (8, 1), (16, 2), (32, 2), (64, 2)]],
        "dense": [{"units": 1024, "dropout": 0.25}, {"units": 512, "dropout": 0}],
        "classes": 2}
cfg = {"format": 1, "kind": "cnn",
       "features": {"kind": "fbank", "sample_rate": 16000, "window_s": 0.025, "hop_s": 0.005,
                    "nfft": 2048, "num_filters": 64},
       "normalization": {"mean": [float(v) for v in mean], "std": [float(v) for v in std]},
       "architecture": arch,
       "training": {"made_by": "model/testdata/make_fixture.py (random weights)"},
       "versions": {"deep4deep": "fixture", "go": "none", "torch": torch.__version__}}
with open(os.path.join(mdir, "config.json"), "w") as f:
    json.dump(cfg, f, indent=1)
with open(os.path.join(out, "cnn-expected.json"), "w") as f:
    json.dump({"file": "cnn.wav", "frames": T, "score": score,
               "frame_diff_std": float((ls[:, 1] - ls[:, 0]).std()),
               "first_logits": logits[:3].tolist()}, f, indent=1)
print("frames", T, "score", score)
