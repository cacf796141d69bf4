#!/usr/bin/python3
"""Times the seed's NumPy filterbank (../../../shared/bench/ref_fbank.py) on
one core over the reference WAV files, for comparison with BenchmarkFbank.
Run from the repository root:

    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 \
        taskset -c 0 /usr/bin/python3 features/testdata/time_ref_fbank.py

Prints the audio seconds processed per wall-clock second (best of 5)."""
import glob
import os
import sys
import time

import soundfile as sf

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "../../../shared/bench"))
from ref_fbank import seed_fbank  # noqa: E402

files = sorted(glob.glob(os.path.join(here, "fbank", "*.wav")))
sigs = [sf.read(f) for f in files]
total = sum(len(s) / sr for s, sr in sigs)
best = float("inf")
for _ in range(5):
    t0 = time.perf_counter()
    for s, sr in sigs:
        seed_fbank(s, sr)
    best = min(best, time.perf_counter() - t0)
print("ref_fbank: %.2f audio-s over %d files in %.4f s: %.1f audio-s/s"
      % (total, len(files), best, total / best))
