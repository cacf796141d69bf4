#!/usr/bin/python3
"""Times the seed's NumPy filterbank (../../../shared/bench/ref_fbank.py) on
one core over the reference WAV files (features/testdata/fbank), for
comparison with BenchmarkFbank. Run from the repository root, in the same
session as the Go benchmark:

    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 \\
        taskset -c 0 /usr/bin/python3 features/testdata/time_ref_fbank.py
    taskset -c 0 go test -run XXX -bench 'Fbank$' -cpu 1 ./features

Prints audio seconds per wall-clock second and per CPU second (the mean over
the repetitions, like go test -bench). On a shared machine the CPU figure is
the comparable one (BenchmarkFbank reports both, audio-s/s and
audio-s/cpu-s)."""
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
seed_fbank(*sigs[0])  # warm up
reps = 10
w0, c0 = time.perf_counter(), time.process_time()
for _ in range(reps):
    for s, sr in sigs:
        seed_fbank(s, sr)
wall, cpu = time.perf_counter() - w0, time.process_time() - c0
print("ref_fbank: %.2f audio-s over %d files x %d: %.1f audio-s/s, %.1f audio-s/cpu-s"
      % (total, len(files), reps, reps * total / wall, reps * total / cpu))
