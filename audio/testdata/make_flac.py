#!/usr/bin/python3
"""Regenerates the FLAC fixtures of audio's tests (run from audio/testdata):
    /usr/bin/python3 make_flac.py
Each FLAC has a WAV twin with the same integer samples, written by soundfile
(libsndfile); the Go test checks that both decode to the same floats."""
import numpy as np
import soundfile as sf

rng = np.random.default_rng(7)
t = np.arange(2205) / 22050.0
left = 0.5 * np.sin(2 * np.pi * 440 * t) + 0.01 * rng.standard_normal(t.size)
right = 0.3 * np.sin(2 * np.pi * 1234 * t)
st = (np.stack([left, right], 1) * 32767).astype(np.int16)
sf.write("stereo16_22050.flac", st, 22050, subtype="PCM_16")
sf.write("stereo16_22050.wav", st, 22050, subtype="PCM_16")

t = np.arange(1600) / 16000.0
mono = (0.7 * np.sin(2 * np.pi * 300 * t) * 8388607).astype(np.int32) << 8
sf.write("mono24_16000.flac", mono, 16000, subtype="PCM_24")
sf.write("mono24_16000.wav", mono, 16000, subtype="PCM_24")

# soundfile's own reading, downmixed by averaging: the expected floats.
for name in ["stereo16_22050", "mono24_16000"]:
    x, sr = sf.read(name + ".flac")
    if x.ndim == 2:
        x = x.mean(axis=1)
    x.astype("<f4").tofile(name + ".f32")
