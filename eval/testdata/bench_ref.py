#!/usr/bin/python3
"""Times the reference EER code on the sizes of BenchmarkEER, for ratios.

eer_step: the ASVspoof 2019 eval package's compute_eer (NumPy, verbatim in
gen_eer_ref.py); eer: BOSARIS rocch + rocch2eer transcribed to NumPy (its PAV
is a Python loop, as BOSARIS's is a MATLAB loop, so this one is slow and only
run on the smaller size). Scores as BenchmarkEER: 10 % genuine N(2,1), 90 %
spoof N(0,1). Prints trials/s.

    /usr/bin/python3 eval/testdata/bench_ref.py
"""
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from gen_eer_ref import compute_eer, rocch, rocch2eer  # noqa: E402


def bench(name, fn, n, reps):
    rng = np.random.default_rng(1)
    nt = n // 10
    tar = 2 + rng.normal(size=nt)
    non = rng.normal(size=n - nt)
    fn(tar, non)
    t0 = time.perf_counter()
    for _ in range(reps):
        fn(tar, non)
    dt = (time.perf_counter() - t0) / reps
    print(f"{name}/{n}\t{dt * 1e3:.2f} ms/op\t{n / dt:.4g} trials/s")


bench("step", lambda t, n: compute_eer(t, n), 13306, 20)
bench("step", lambda t, n: compute_eer(t, n), 1_000_000, 3)
bench("rocch", lambda t, n: rocch2eer(*rocch(t, n)), 13306, 2)
