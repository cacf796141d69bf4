#!/usr/bin/env bash
# Trains the built-in default model (defaultmodel/model/): weights,
# config.json and calibration.json, bit for bit for a given checkout.
#
# The model committed in defaultmodel/model/ is this script's output (synth
# recipe v3); see defaultmodel/model/recipe.json. Rerun it and commit the
# output whenever the recipe changes.
#
# Recipe: the seed CNN on fbank (the best recipe on main when it was trained),
# calibrated on the dev set (score -> LLR), on a synthetic corpus whose train and dev rows copy the real ASVspoof 2017 V2
# protocols (speakers, phrases, replay configurations) at SCALE, seed SEED. The
# eval set is cut to two rows: the default model is not evaluated here (that is
# `deep4deep demo`'s job) and the corpus stays small.
#
# Bit-for-bit: synth output depends only on seed, scale and rows; training is
# bit-identical for a given seed and thread count, so THREADS is fixed.
#
# usage: scripts/train-default-model.sh [OUT_DIR]   (default: defaultmodel/model)
# needs: Go, and the real protocols in ../shared/asvspoof2017/protocol_V2
#        (or PROTOCOLS=DIR). Takes ~5 minutes on a quiet 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=$(realpath -m "${1:-defaultmodel/model}")
PROTOCOLS=$(realpath "${PROTOCOLS:-../shared/asvspoof2017/protocol_V2}")
SCALE=0.3
SEED=1
THREADS=2
EPOCHS=6
PATIENCE=3
FRAMES_PER_UTT=128
DEV_FRAMES=50

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# No VCS stamp, and relative paths inside the work folder: config.json then
# records nothing that changes from one checkout or machine to the next.
go build -buildvcs=false -o "$work/deep4deep" ./cmd/deep4deep
synthv=$(sed -n 's/^const Version = "\(.*\)"$/\1/p' synth/generate.go)
cd "$work"

mkdir like
cp "$PROTOCOLS/ASVspoof2017_V2_train.trn.txt" "$PROTOCOLS/ASVspoof2017_V2_dev.trl.txt" like/
head -n 2 "$PROTOCOLS/ASVspoof2017_V2_eval.trl.txt" > like/ASVspoof2017_V2_eval.trl.txt

./deep4deep synth --quiet --out corpus --like like \
    --scale "$SCALE" --seed "$SEED" --workers "$THREADS"
./deep4deep train --quiet --corpus corpus --out model \
    --model cnn --features fbank --seed "$SEED" --threads "$THREADS" \
    --epochs "$EPOCHS" --patience "$PATIENCE" \
    --frames-per-utt "$FRAMES_PER_UTT" --dev-frames "$DEV_FRAMES" \
    --calibrate-on dev

mkdir -p "$OUT"
# The corpus lived in a temporary folder: record a fixed name instead.
sed 's#^\(    "root": \)".*"#\1"synthetic corpus of scripts/train-default-model.sh"#' model/config.json > "$OUT/config.json"
cp model/model.safetensors model/calibration.json model/train-log.csv "$OUT/"
cat > "$OUT/recipe.json" <<RECIPE
{
  "name": "deep4deep-default",
  "recipe": "seed CNN (DESIGN §4.1 network) on fbank; epochs $EPOCHS, patience $PATIENCE, frames-per-utt $FRAMES_PER_UTT, dev-frames $DEV_FRAMES, threads $THREADS; other settings default",
  "corpus": "deep4deep synth --like (real ASVspoof 2017 V2 train and dev rows, 2 eval rows) --scale $SCALE",
  "corpus_recipe_version": "$synthv",
  "seed": $SEED,
  "calibrated": true,
  "calibration": "affine map from score to LLR fitted on the dev set (train --calibrate-on dev)",
  "reproduce": "scripts/train-default-model.sh"
}
RECIPE
echo "default model written to $OUT"
