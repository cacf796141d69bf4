#!/usr/bin/python3
"""Regenerates the non-default-parameter fbank references (run from
features/testdata/fbank_params):

    /usr/bin/python3 make.py

Each NAME.cmp is the seed's algorithm (../../../../shared/bench/ref_fbank.py,
seed_fbank) on ../fbank/chirp_noise_3s.wav with the parameters in the name:
f<filters>_n<nfft>_w<window ms>_h<hop ms>; float32, frames x filters."""
import os
import sys

import soundfile as sf

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "../../../../shared/bench"))
from ref_fbank import seed_fbank  # noqa: E402

sig, sr = sf.read(os.path.join(here, "../fbank/chirp_noise_3s.wav"))
for nfilt, nfft, win_ms, hop_ms in [(40, 512, 20, 10), (80, 4096, 25, 5), (24, 1024, 32, 8)]:
    out = seed_fbank(sig, sr, nfilt=nfilt, nfft=nfft, win_s=win_ms / 1000, hop_s=hop_ms / 1000)
    out.astype("float32").tofile(os.path.join(here, "f%d_n%d_w%d_h%d.cmp" % (nfilt, nfft, win_ms, hop_ms)))
