#!/usr/bin/env bash
# Reproduces the calibration of the built-in model (defaultmodel/model/
# calibration.json) bit for bit from its committed weights: an affine
# score -> LLR map fitted on the dev set of a synth v2 corpus (the real
# ASVspoof 2017 V2 train/dev rows, scale 0.3, seed 1; the weights were
# trained on synth v1, so this dev set is new to them).
#
# usage: scripts/calibrate-default-model.sh   (needs ../shared/asvspoof2017/protocol_V2 or PROTOCOLS=DIR)
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=$(realpath defaultmodel/model)
PROTOCOLS=$(realpath "${PROTOCOLS:-../shared/asvspoof2017/protocol_V2}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -buildvcs=false -o "$work/deep4deep" ./cmd/deep4deep
cd "$work"
mkdir like
cp "$PROTOCOLS/ASVspoof2017_V2_train.trn.txt" "$PROTOCOLS/ASVspoof2017_V2_dev.trl.txt" like/
head -n 2 "$PROTOCOLS/ASVspoof2017_V2_eval.trl.txt" > like/ASVspoof2017_V2_eval.trl.txt
./deep4deep synth --quiet --out corpus --like like --scale 0.3 --seed 1 --workers 2
./deep4deep score --quiet --model "$MODEL" --corpus corpus --set dev --out dev.scores --calibration none
./deep4deep calibrate --scores dev.scores --protocol corpus/protocol_V2/ASVspoof2017_V2_dev.trl.txt \
    --out "$MODEL/calibration.json"
./deep4deep eval --scores dev.scores --protocol corpus/protocol_V2/ASVspoof2017_V2_dev.trl.txt | head -3
