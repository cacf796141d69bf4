#!/usr/bin/python3
"""Reference t-DCF values for eval's tests: an independent NumPy
transcription of the formulas, written from the papers and the organisers'
evaluation scripts (ASVspoof 2019 tDCF_python/eval_metrics.py, ASVspoof 2021
eval-package), not from the Go code.

Legacy (ASVspoof 2019):
    C1 = Ptar (Cmiss_cm - Cmiss_asv Pmiss_asv) - Pnon Cfa_asv Pfa_asv
    C2 = Cfa_cm Pspoof (1 - Pmiss_spoof_asv)
    min over CM thresholds of (C1 Pmiss_cm + C2 Pfa_cm) / min(C1, C2)
Revised (ASVspoof 2021):
    C0 = Ptar Cmiss Pmiss_asv + Pnon Cfa Pfa_asv
    C1 = Ptar Cmiss - C0
    C2 = Pspoof Cfa_spoof Pfa_spoof_asv
    min over CM thresholds of (C0 + C1 Pmiss_cm + C2 Pfa_cm) / (C0 + min(C1, C2))
with Pspoof = 0.05, Ptar = 0.95 * 0.99, Pnon = 0.95 * 0.01, every Cmiss 1,
every Cfa 10. The ASV threshold is the ASV EER point of compute_eer.

CM (and synthetic ASV) scores come from a 64-bit LCG that the Go test
reproduces exactly (integer arithmetic, sums of uniforms, floor rounding),
so the fixture holds only the inputs' recipes and the results.

Regenerate (from the repository root, with ../shared beside it):
    /usr/bin/python3 eval/testdata/gen_tdcf_ref.py > eval/testdata/tdcf_ref.json
"""
import json
import math

import numpy as np

SHARED = "../shared/asvspoof2019/"
M64 = 1 << 64


def lcg_scores(seed, n, mu, sigma, grid):
    """n scores mu + sigma * (u1 + u2 + u3 + u4 - 2), u from the LCG
    x <- 6364136223846793005 x + 1442695040888963407 (mod 2^64),
    u = (x >> 11) / 2^53; rounded to multiples of 1/grid when grid > 0."""
    x = seed % M64
    out = np.empty(n)
    for i in range(n):
        s = 0.0
        for _ in range(4):
            x = (x * 6364136223846793005 + 1442695040888963407) % M64
            s += (x >> 11) / float(1 << 53)
        v = mu + sigma * (s - 2.0)
        if grid > 0:
            v = math.floor(v * grid + 0.5) / grid
        out[i] = v
    return out


def det_curve(tar, non):
    scores = np.concatenate((tar, non))
    labels = np.concatenate((np.ones(tar.size), np.zeros(non.size)))
    order = np.argsort(scores, kind="mergesort")
    labels = labels[order]
    tar_below = np.cumsum(labels)
    non_above = non.size - (np.arange(1, scores.size + 1) - tar_below)
    pmiss = np.concatenate(([0.0], tar_below / tar.size))
    pfa = np.concatenate(([1.0], non_above / non.size))
    thr = np.concatenate(([scores[order[0]] - 0.001], scores[order]))
    return pmiss, pfa, thr


def asv_point(tar, non, spoof):
    pmiss, pfa, thr = det_curve(tar, non)
    i = np.argmin(np.abs(pmiss - pfa))
    t = thr[i]
    return dict(threshold=float(t),
                pfa_asv=float(np.sum(non >= t) / non.size),
                pmiss_asv=float(np.sum(tar < t) / tar.size),
                pmiss_spoof_asv=float(np.sum(spoof < t) / spoof.size))


PSPOOF = 0.05
PTAR = (1 - PSPOOF) * 0.99
PNON = (1 - PSPOOF) * 0.01
CMISS, CFA = 1.0, 10.0


def tdcf(bona, spoof, op):
    pmiss_cm, pfa_cm, _ = det_curve(bona, spoof)
    c1 = PTAR * (CMISS - CMISS * op["pmiss_asv"]) - PNON * CFA * op["pfa_asv"]
    c2 = CFA * PSPOOF * (1 - op["pmiss_spoof_asv"])
    legacy = np.min((c1 * pmiss_cm + c2 * pfa_cm) / min(c1, c2))
    r0 = PTAR * CMISS * op["pmiss_asv"] + PNON * CFA * op["pfa_asv"]
    r1 = PTAR * CMISS - r0
    r2 = PSPOOF * CFA * (1 - op["pmiss_spoof_asv"])
    revised = np.min((r0 + r1 * pmiss_cm + r2 * pfa_cm) / (r0 + min(r1, r2)))
    return float(legacy), float(revised)


def read_asv(path):
    tar, non, spoof = [], [], []
    with open(path) as f:
        for line in f:
            k = line.split()
            if not k:
                continue
            {"target": tar, "nontarget": non, "spoof": spoof}[k[1]].append(float(k[2]))
    return np.array(tar), np.array(non), np.array(spoof)


def cm_scores(cm):
    return (lcg_scores(cm["seed"], cm["n_bonafide"], cm["mu_bonafide"], cm["sigma"], cm["grid"]),
            lcg_scores(cm["seed"] + 1, cm["n_spoof"], cm["mu_spoof"], cm["sigma"], cm["grid"]))


def main():
    cases = []
    asv5 = dict(pfa_asv=0.01881, pmiss_asv=0.01880, pmiss_spoof_asv=1 - 0.4607)
    specs = [
        # The real 2019 LA ASV scores with CM scores of the 2019 LA sizes.
        ("la-eval", dict(file="LA/ASVspoof2019.LA.asv.eval.gi.trl.scores.txt"),
         dict(seed=11, n_bonafide=7355, n_spoof=63882, mu_bonafide=2.0, mu_spoof=-1.0, sigma=2.0, grid=0)),
        ("la-dev", dict(file="LA/ASVspoof2019.LA.asv.dev.gi.trl.scores.txt"),
         dict(seed=12, n_bonafide=2548, n_spoof=22296, mu_bonafide=1.0, mu_spoof=-1.0, sigma=1.5, grid=0)),
        # Synthetic ASV scores, with and without ties in the CM scores.
        ("lcg-separated", dict(lcg=dict(seed=21, n=(900, 3000, 2000), mu=(4.0, 0.0, 2.5), sigma=2.0, grid=0)),
         dict(seed=22, n_bonafide=300, n_spoof=2500, mu_bonafide=1.5, mu_spoof=-1.5, sigma=1.0, grid=0)),
        ("lcg-ties", dict(lcg=dict(seed=31, n=(500, 800, 700), mu=(3.0, 0.0, 2.0), sigma=2.0, grid=4)),
         dict(seed=32, n_bonafide=200, n_spoof=900, mu_bonafide=0.5, mu_spoof=-0.5, sigma=1.0, grid=2)),
        # No ASV scores: the fixed ASVspoof 5 reference operating point.
        ("asvspoof5", dict(fixed="asvspoof5"),
         dict(seed=41, n_bonafide=1000, n_spoof=5000, mu_bonafide=1.0, mu_spoof=-1.0, sigma=1.2, grid=0)),
    ]
    for name, asv, cm in specs:
        if "file" in asv:
            op = asv_point(*read_asv(SHARED + asv["file"]))
        elif "lcg" in asv:
            g = asv["lcg"]
            tar, non, spoof = (lcg_scores(g["seed"] + k, g["n"][k], g["mu"][k], g["sigma"], g["grid"]) for k in range(3))
            op = asv_point(tar, non, spoof)
        else:
            op = dict(asv5)
        bona, spoof = cm_scores(cm)
        legacy, revised = tdcf(bona, spoof, op)
        cases.append(dict(name=name, asv=asv, cm=cm, op=op, tdcf_legacy=legacy, tdcf_revised=revised))
    json.dump(dict(cases=cases), __import__("sys").stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
