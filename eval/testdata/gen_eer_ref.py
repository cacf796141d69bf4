#!/usr/bin/python3
"""Reference EERs for eval's tests, from the published reference code.

eer_step: compute_det_curve / compute_eer of the ASVspoof 2019 (and 2021)
evaluation package, eval_metrics.py, copied verbatim.

eer: BOSARIS toolkit rocch.m, pavx.m and rocch2eer.m transcribed line by line
from MATLAB to NumPy (floating-point PAV means, 2x2 solve as MATLAB's
backslash), so the Go code is checked against the toolkit's own arithmetic.

Regenerate (from the repository root):
    /usr/bin/python3 eval/testdata/gen_eer_ref.py > eval/testdata/eer_ref.json
"""
import json

import numpy as np


# ---- ASVspoof 2019 eval package, eval_metrics.py (verbatim) ----
def compute_det_curve(target_scores, nontarget_scores):
    n_scores = target_scores.size + nontarget_scores.size
    all_scores = np.concatenate((target_scores, nontarget_scores))
    labels = np.concatenate((np.ones(target_scores.size), np.zeros(nontarget_scores.size)))

    # Sort labels based on scores
    indices = np.argsort(all_scores, kind='mergesort')
    labels = labels[indices]

    # Compute false rejection and false acceptance rates
    tar_trial_sums = np.cumsum(labels)
    nontarget_trial_sums = nontarget_scores.size - (np.arange(1, n_scores + 1) - tar_trial_sums)

    frr = np.concatenate((np.atleast_1d(0), tar_trial_sums / target_scores.size))  # false rejection rates
    far = np.concatenate((np.atleast_1d(1), nontarget_trial_sums / nontarget_scores.size))  # false acceptance rates
    thresholds = np.concatenate((np.atleast_1d(all_scores[indices[0]] - 0.001), all_scores[indices]))  # Thresholds are the sorted scores

    return frr, far, thresholds


def compute_eer(target_scores, nontarget_scores):
    """ Returns equal error rate (EER) and the corresponding threshold. """
    frr, far, thresholds = compute_det_curve(target_scores, nontarget_scores)
    abs_diffs = np.abs(frr - far)
    min_index = np.argmin(abs_diffs)
    eer = np.mean((frr[min_index], far[min_index]))
    return eer, thresholds[min_index]


# ---- BOSARIS toolkit (MATLAB) transcribed ----
def pavx(y):
    n = len(y)
    index = np.zeros(n, dtype=int)
    length = np.zeros(n, dtype=int)
    ghat = np.zeros(n)
    ci = 0
    index[ci] = 0
    length[ci] = 1
    ghat[ci] = y[0]
    for j in range(1, n):
        ci += 1
        index[ci] = j
        length[ci] = 1
        ghat[ci] = y[j]
        while ci >= 1 and ghat[max(ci - 1, 0)] >= ghat[ci]:
            nw = length[ci - 1] + length[ci]
            ghat[ci - 1] = ghat[ci - 1] + (length[ci] / nw) * (ghat[ci] - ghat[ci - 1])
            length[ci - 1] = nw
            ci -= 1
    height = ghat[:ci + 1].copy()
    width = length[:ci + 1].copy()
    return height, width


def rocch(tar_scores, nontar_scores):
    Nt = len(tar_scores)
    Nn = len(nontar_scores)
    N = Nt + Nn
    scores = np.concatenate((tar_scores, nontar_scores))
    Pideal = np.concatenate((np.ones(Nt), np.zeros(Nn)))
    perturb = np.argsort(scores, kind='mergesort')  # stable, like MATLAB sort
    Pideal = Pideal[perturb]
    Popt, width = pavx(Pideal)
    nbins = len(width)
    pmiss = np.zeros(nbins + 1)
    pfa = np.zeros(nbins + 1)
    left = 0
    fa = Nn
    miss = 0
    for i in range(nbins):
        pmiss[i] = miss / Nt
        pfa[i] = fa / Nn
        left = left + width[i]
        miss = np.sum(Pideal[:left])
        fa = N - left - np.sum(Pideal[left:])
    pmiss[nbins] = miss / Nt
    pfa[nbins] = fa / Nn
    return pmiss, pfa


def rocch2eer(pmiss, pfa):
    eer = 0.0
    for i in range(len(pfa) - 1):
        xx = pfa[i:i + 2]
        yy = pmiss[i:i + 2]
        assert xx[1] <= xx[0] and yy[0] <= yy[1]
        XY = np.column_stack((xx, yy))
        dd = np.array([1, -1]) @ XY
        if np.min(np.abs(dd)) == 0:
            eerseg = 0.0
        else:
            seg = np.linalg.solve(XY, np.array([1.0, 1.0]))
            eerseg = 1 / np.sum(seg)
        eer = max(eer, eerseg)
    return eer


def main():
    rng = np.random.default_rng(2017)
    cases = []
    # (n_genuine, n_spoof, separation, quantisation step or 0 for continuous)
    specs = [
        (1, 1, 1.0, 0), (1, 5, 0.5, 0), (7, 1, 0.5, 0), (3, 3, 0.0, 1.0),
        (10, 10, 1.0, 0), (10, 40, 2.0, 0.5), (50, 50, -1.0, 0), (40, 300, 1.5, 0.25),
        (100, 100, 0.0, 0), (130, 1200, 2.0, 0), (130, 1200, 2.0, 0.1), (200, 150, 0.7, 1.0),
        (500, 500, 3.0, 0), (64, 900, 1.0, 0.05), (5, 400, 0.2, 0.5), (400, 5, 0.2, 0.5),
        (300, 300, 1.0, 2.0), (250, 2500, 2.5, 0.01), (20, 20, 10.0, 0), (20, 20, -10.0, 0),
    ]
    for nt, nn, sep, q in specs:
        tar = rng.normal(sep, 1.0, nt)
        non = rng.normal(0.0, 1.0, nn)
        if q > 0:
            tar = np.round(tar / q) * q
            non = np.round(non / q) * q
        eer_step, _ = compute_eer(tar, non)
        pmiss, pfa = rocch(tar, non)
        eer = rocch2eer(pmiss, pfa)
        cases.append({
            "genuine": [float(x) for x in tar],
            "spoof": [float(x) for x in non],
            "eer": float(eer),
            "eer_step": float(eer_step),
        })
    print(json.dumps({"generator": "eval/testdata/gen_eer_ref.py", "cases": cases}))


if __name__ == "__main__":
    main()
