#!/usr/bin/python3
"""scikit-learn reference for BenchmarkGMMEMStep (gmm/bench_test.go).

Times GaussianMixture(512, covariance_type="diag", init_params="random",
tol=0) on 100,000 × 60 standard-normal frames and prints the time of one EM
iteration, (fit(max_iter=8) − fit(max_iter=2)) / 6, after a warm-up fit (best of two), as
frames/s of wall time and frames per CPU-second of the process (the
latter is robust to other load on a shared machine). Run it beside the Go benchmark, with the same thread count:

    LD_PRELOAD=libjemalloc.so.2 OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 \
        /usr/bin/python3 gmm/testdata/sklearn_em.py
"""
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

N, DIM, K = 100_000, 60, 512
warnings.simplefilter("ignore", ConvergenceWarning)
x = np.random.default_rng(1).standard_normal((N, DIM))


def fit(iters):
    """Returns the wall and process CPU seconds of one fit."""
    g = GaussianMixture(K, covariance_type="diag", init_params="random", tol=0,
                        max_iter=iters, random_state=0)
    t, c = time.perf_counter(), time.process_time()
    g.fit(x)
    return time.perf_counter() - t, time.process_time() - c


fit(2)  # warm-up
wall, cpu = [], []
for _ in range(2):
    (w8, c8), (w2, c2) = fit(8), fit(2)
    wall.append((w8 - w2) / 6)
    cpu.append((c8 - c2) / 6)
print(f"sklearn EM iteration: {min(wall):.3f} s = {N / min(wall):,.0f} frames/s; "
      f"{min(cpu):.3f} CPU-s = {N / min(cpu):,.0f} frames/cpu-s "
      f"(runs: {', '.join(f'{w:.3f}' for w in wall)} s)")
