#!/usr/bin/python3
"""Reference FIR design and filtering for augment's RawBoost tests.

RawBoost's reference code (Tak et al. 2022, RawBoost.py) builds its notch
filters with scipy.signal.firwin(c, [f1, f2], window='hamming', fs=fs),
scales them by the peak of scipy.signal.freqz(b, 1, fs=fs) and filters with
filterFIR (lfilter on the zero-padded signal, delay removed). This script
runs exactly those SciPy calls on fixed parameters, so the Go transcription
is checked against SciPy itself.

Regenerate (from the repository root; needs Debian's python3-scipy):
    /usr/bin/python3 augment/testdata/gen_fir_ref.py > augment/testdata/fir_ref.json
"""
import json
import sys

import numpy as np
from scipy import signal


def filterFIR(x, b):  # RawBoost.py, verbatim
    N = b.shape[0] + 1
    xpad = np.pad(x, (0, N), 'constant')
    y = signal.lfilter(b, 1, xpad)
    y = y[int(N / 2):int(y.shape[0] - N / 2)]
    return y


def main():
    fs = 16000
    rng = np.random.default_rng(2022)
    cases = []
    # (numtaps, f1, f2): band-stop notches as genNotchCoeffs makes them,
    # including the clipped edges at 1/1000 Hz and fs/2 - 1/1000.
    notches = [(11, 950.0, 1050.0), (51, 20.0, 520.0), (99, 1 / 1000, 300.0),
               (31, 7500.0, fs / 2 - 1 / 1000), (75, 3000.0, 3900.0), (13, 4000.0, 4100.0)]
    for c, f1, f2 in notches:
        h = signal.firwin(c, [float(f1), float(f2)], window='hamming', fs=fs)
        cases.append({"kind": "bandstop", "numtaps": c, "edges": [f1, f2], "taps": h.tolist()})
    # band-pass (the bandlimit transform)
    for c, f1, f2 in [(127, 100.0, 4000.0), (127, 20.0, 7990.0), (63, 300.0, 3400.0)]:
        h = signal.firwin(c, [f1, f2], window='hamming', fs=fs, pass_zero=False)
        cases.append({"kind": "bandpass", "numtaps": c, "edges": [f1, f2], "taps": h.tolist()})
    # a cascade of notches as genNotchCoeffs convolves them, its freqz peak
    # and filterFIR of a random signal through it
    b = np.array([1.0])
    for c, f1, f2 in notches[:4]:
        b = np.convolve(signal.firwin(c, [float(f1), float(f2)], window='hamming', fs=fs), b)
    _, h = signal.freqz(b, 1, fs=fs)
    x = rng.normal(0, 0.1, 700)
    y = filterFIR(x, b)
    y_short = filterFIR(x[:40], b)  # signal shorter than the filter
    json.dump({"generator": "augment/testdata/gen_fir_ref.py", "fs": fs, "firwin": cases,
               "cascade": {"taps": b.tolist(), "freqz_max": float(np.amax(abs(h))),
                           "x": x.tolist(), "y": y.tolist(), "y_short": y_short.tolist()}},
              sys.stdout)


if __name__ == "__main__":
    main()
