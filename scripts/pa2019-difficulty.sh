#!/usr/bin/env bash
# How hard each ASVspoof 2019 PA-style attack is on the synthetic corpus:
# LFCC-GMM (the official 2019 baseline front end; 128 components, 10 EM
# iterations for time) trained and evaluated on `synth --layout
# asvspoof2019-pa --scale 0.01`, three seeds; prints eval EER % by attack,
# attacker distance Da and device quality Q as mean ± sd over the seeds.
# Usage: scripts/pa2019-difficulty.sh [WORKDIR]   (from the repository root)
set -euo pipefail
work=${1:-pa2019-difficulty}
mkdir -p "$work"
go build -o "$work/deep4deep" ./cmd/deep4deep
d4d="$work/deep4deep"
for s in 1 2 3; do
  "$d4d" synth --quiet --layout asvspoof2019-pa --out "$work/pa-s$s" --scale 0.01 --seed "$s" --force
  "$d4d" train --quiet --corpus "$work/pa-s$s" --out "$work/gmm-s$s" --model gmm --features lfcc \
      --components 128 --gmm-iters 10 --seed "$s"
  "$d4d" score --quiet --model "$work/gmm-s$s" --corpus "$work/pa-s$s" --set eval --out "$work/gmm-s$s.eval.txt"
  "$d4d" eval --scores "$work/gmm-s$s.eval.txt" --corpus "$work/pa-s$s" --set eval --json > "$work/eval-s$s.json"
done
python3 - "$work"/eval-s{1,2,3}.json <<'PY'
import json, statistics, sys
runs = [json.load(open(p)) for p in sys.argv[1:]]
def row(name, vals):
    m, sd = statistics.mean(vals), statistics.stdev(vals)
    return f"| {name} | {100*m:.1f} ± {100*sd:.1f} |"
print("| eval trials | EER % |\n|---|---:|")
print(row("all", [r["eer"] for r in runs]))
for col, title in [("device_quality", "Q"), ("attacker_distance", "Da"), ("attack", "attack")]:
    for v in sorted(runs[0]["by"][col]):
        print(row(f"{title} = {v}", [r["by"][col][v]["eer"] for r in runs]))
t = [r["tdcf_legacy"] for r in runs]
print(f"| min t-DCF, legacy (ASVspoof 5 ASV point) | {statistics.mean(t):.3f} ± {statistics.stdev(t):.3f} |")
PY
