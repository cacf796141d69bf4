#!/usr/bin/python3
"""scikit-learn reference for BenchmarkGMMEMStep (gmm/bench_test.go).

Times GaussianMixture(512, covariance_type="diag", init_params="random",
tol=0) on 100,000 × 60 standard-normal frames and prints the time of one EM
iteration, (fit(max_iter=8) − fit(max_iter=2)) / 6, after a warm-up fit, as
frames/s. Run it beside the Go benchmark, with the same thread count:

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
    g = GaussianMixture(K, covariance_type="diag", init_params="random", tol=0,
                        max_iter=iters, random_state=0)
    t = time.perf_counter()
    g.fit(x)
    return time.perf_counter() - t


fit(2)  # warm-up
reps = []
for _ in range(2):
    reps.append((fit(8) - fit(2)) / 6)
per_iter = min(reps)
print(f"sklearn EM iteration: {per_iter:.3f} s = {N / per_iter:,.0f} frames/s "
      f"(runs: {', '.join(f'{r:.3f}' for r in reps)} s)")
