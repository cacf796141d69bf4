#!/usr/bin/python3
"""Reference calibration metrics for eval's tests, from the published code.

cllr, min_cllr: BOSARIS toolkit cllr.m, min_cllr.m, opt_loglr.m ('raw') and
pavx.m transcribed line by line from MATLAB to NumPy (floating-point PAV
means, posterior log odds minus prior log odds), so the Go code, which works
on exact block counts, is checked against the toolkit's own arithmetic.

act_dcf, min_dcf: compute_actDCF and compute_mindcf of the ASVspoof 5
evaluation package (calculate_modules.py), with compute_det_curve of the
ASVspoof 2019 package, transcribed; parameters Pspoof = 0.05, Cmiss = 1,
Cfa = 10.

calibration: a prior-weighted logistic regression fitted by scikit-learn's
LogisticRegression (lbfgs, no penalty) with per-class sample weights
prior/Nt and (1-prior)/Nn; the LLR map is a*s + b with b = intercept -
logit(prior). An optimiser and a code base independent of calibrate's
Newton iteration.

Regenerate (from the repository root; needs Debian's python3-numpy and
python3-sklearn):
    /usr/bin/python3 eval/testdata/gen_calib_ref.py > eval/testdata/calib_ref.json
"""
import json

import numpy as np


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
    # reconstruct ghat over all points, as pavx.m does
    out = np.zeros(n)
    k = 0
    for h, w in zip(height, width):
        out[k:k + w] = h
        k += w
    return out, width, height


def neglogsigmoid(x):
    # BOSARIS: neglogsigmoid(log_odds) = -log(sigmoid(log_odds)) = log(1+exp(-log_odds))
    with np.errstate(over='ignore', divide='ignore'):
        return np.logaddexp(0.0, -x)


def cllr(tar_llrs, nontar_llrs):
    log2 = np.log(2)
    c1 = np.mean(neglogsigmoid(tar_llrs)) / log2
    c2 = np.mean(neglogsigmoid(-nontar_llrs)) / log2
    return (c1 + c2) / 2


def opt_loglr(tar_scores, nontar_scores):
    Nt = len(tar_scores)
    Nn = len(nontar_scores)
    scores = np.concatenate((tar_scores, nontar_scores))
    Pideal = np.concatenate((np.ones(Nt), np.zeros(Nn)))
    perturb = np.argsort(scores, kind='mergesort')  # stable, like MATLAB sort
    Pideal = Pideal[perturb]
    Popt, _, _ = pavx(Pideal)
    out = np.zeros(len(Popt))
    out[perturb] = Popt
    Popt = out
    with np.errstate(divide='ignore'):
        posterior_log_odds = np.log(Popt) - np.log(1 - Popt)
    log_prior_odds = np.log(Nt / Nn)
    llrs = posterior_log_odds - log_prior_odds
    return llrs[:Nt], llrs[Nt:]


def min_cllr(tar, non):
    t, n = opt_loglr(tar, non)
    return cllr(t, n)


def compute_det_curve(target_scores, nontarget_scores):
    n_scores = target_scores.size + nontarget_scores.size
    all_scores = np.concatenate((target_scores, nontarget_scores))
    labels = np.concatenate((np.ones(target_scores.size), np.zeros(nontarget_scores.size)))
    indices = np.argsort(all_scores, kind='mergesort')
    labels = labels[indices]
    tar_trial_sums = np.cumsum(labels)
    nontarget_trial_sums = nontarget_scores.size - (np.arange(1, n_scores + 1) - tar_trial_sums)
    frr = np.concatenate((np.atleast_1d(0), tar_trial_sums / target_scores.size))
    far = np.concatenate((np.atleast_1d(1), nontarget_trial_sums / nontarget_scores.size))
    thresholds = np.concatenate((np.atleast_1d(all_scores[indices[0]] - 0.001), all_scores[indices]))
    return frr, far, thresholds


def compute_mindcf(frr, far, thresholds, Pspoof, Cmiss, Cfa):
    min_c_det = float("inf")
    p_target = 1 - Pspoof
    for i in range(0, len(frr)):
        c_det = Cmiss * frr[i] * p_target + Cfa * far[i] * (1 - p_target)
        if c_det < min_c_det:
            min_c_det = c_det
    c_def = min(Cmiss * p_target, Cfa * (1 - p_target))
    return min_c_det / c_def


def compute_actDCF(bonafide_scores, spoof_scores, Pspoof, Cmiss, Cfa):
    beta = Cmiss * (1 - Pspoof) / (Cfa * Pspoof)
    threshold = - np.log(beta)
    rate_miss = np.sum(bonafide_scores < threshold) / bonafide_scores.size
    rate_fa = np.sum(spoof_scores >= threshold) / spoof_scores.size
    act_dcf = Cmiss * (1 - Pspoof) * rate_miss + Cfa * Pspoof * rate_fa
    act_dcf = act_dcf / np.min([Cmiss * (1 - Pspoof), Cfa * Pspoof])
    return act_dcf


def fit_calibration(tar, non, prior):
    from sklearn.linear_model import LogisticRegression
    x = np.concatenate((tar, non)).reshape(-1, 1)
    y = np.concatenate((np.ones(len(tar)), np.zeros(len(non))))
    w = np.concatenate((np.full(len(tar), prior / len(tar)), np.full(len(non), (1 - prior) / len(non))))
    w = w * len(y)  # scale only: keeps lbfgs's tolerances meaningful
    lr = LogisticRegression(penalty=None, solver='lbfgs', tol=1e-12, max_iter=10000)
    lr.fit(x, y, sample_weight=w)
    a = float(lr.coef_[0][0])
    b = float(lr.intercept_[0]) - float(np.log(prior / (1 - prior)))
    return a, b


def main():
    rng = np.random.default_rng(2026)
    P = (0.05, 1.0, 10.0)
    cases = []
    # (n_genuine, n_spoof, mean genuine, scale, offset, quantisation)
    specs = [
        (1, 1, 1.0, 1.0, 0.0, 0), (3, 3, 0.0, 1.0, 0.0, 1.0), (10, 40, 2.0, 1.0, 0.0, 0.5),
        (50, 50, -1.0, 1.0, 0.0, 0), (40, 300, 1.5, 2.0, -1.0, 0.25), (100, 100, 0.0, 1.0, 0.0, 0),
        (130, 1200, 2.0, 3.0, 2.0, 0), (130, 1200, 2.0, 0.5, -3.0, 0.1), (200, 150, 0.7, 1.0, 0.0, 1.0),
        (500, 500, 3.0, 1.0, 0.5, 0), (64, 900, 1.0, 4.0, 0.0, 0.05), (20, 20, 10.0, 1.0, 0.0, 0),
        (20, 20, -10.0, 1.0, 0.0, 0), (300, 3000, 2.5, 1.0, -0.64, 0),
    ]
    for nt, nn, mu, scale, off, q in specs:
        tar = rng.normal(mu, 1.0, nt) * scale + off
        non = rng.normal(0.0, 1.0, nn) * scale + off
        if q > 0:
            tar = np.round(tar / q) * q
            non = np.round(non / q) * q
        frr, far, th = compute_det_curve(tar, non)
        case = {
            "genuine": [float(x) for x in tar],
            "spoof": [float(x) for x in non],
            "cllr": float(cllr(tar, non)),
            "min_cllr": float(min_cllr(tar, non)),
            "act_dcf": float(compute_actDCF(tar, non, *P)),
            "min_dcf": float(compute_mindcf(frr, far, th, *P)),
        }
        if nt >= 20 and abs(mu) < 5:  # overlapping classes: the fit has a finite optimum
            fits = {}
            for prior in (0.5, 0.05, 0.9):
                a, b = fit_calibration(tar, non, prior)
                fits[str(prior)] = [a, b]
            case["calibration"] = fits
        cases.append(case)
    json.dump({"generator": "eval/testdata/gen_calib_ref.py", "cases": cases}, __import__("sys").stdout)


if __name__ == "__main__":
    main()
