#!/bin/sh
# Issue 13's experiment table: train → score → calibrate on dev → eval on
# the eval configurations (unseen in train and dev), 3 seeds per system,
# mean and range; then the fusion of the best two systems (and FUSE's pairs).
#
#   scripts/generalisation.sh                 # OUT=gen-out SCALE=0.05 SEEDS="1 2 3"
#   SYSTEMS="gmm-cqcc cnn cnn-aug" scripts/generalisation.sh
#   SEEDS=1 SYSTEMS="cnn-cqcc-aug-hp" scripts/generalisation.sh   # a screened variant
#
# The corpus is synthesised once (seed 1, the synth recipe of this checkout);
# the seeds vary model training (initialisation, sample order, augmentation
# draws). Results: OUT/table.md (the README's table) and
# OUT/best-breakdown.txt (per-condition EERs of the best single system,
# seed 1). A finished system-seed is not rerun: delete OUT/results/SYS-SEED.
set -eu
OUT=${OUT:-gen-out}
SCALE=${SCALE:-0.05}
SEEDS=${SEEDS:-"1 2 3"}
THREADS=${THREADS:-2}
AUG=${AUG:-"rawboost:5@0.5,device@0.3,freqmask:8@0.5"}
SYSTEMS=${SYSTEMS:-"gmm-cqcc gmm-lfcc cnn cnn-aug cnn-cqcc cnn-cqcc-aug cnn-lfcc cnn-lfcc-aug lcnn lcnn-aug stats-cqcc stats-cqcc-aug"}
FUSE=${FUSE:-"lcnn+cnn-cqcc-aug"}
# The demo's time-budget settings for the CNN and the GMMs.
CNN="--epochs 4 --frames-per-utt 64 --dev-frames 100"
GMM="--components 512 --gmm-iters 10"

mkdir -p "$OUT"
go build -o "$OUT/deep4deep" ./cmd/deep4deep
D="$OUT/deep4deep"
C="$OUT/corpus"
[ -d "$C/protocol_V2" ] || $D synth --quiet --out "$C" --scale "$SCALE" --seed 1 --workers "$THREADS"
P="$C/protocol_V2"

flags() {
	case $1 in
	gmm-cqcc) echo "--model gmm --features cqcc $GMM" ;;
	gmm-lfcc) echo "--model gmm --features lfcc $GMM" ;;
	cnn) echo "--model cnn $CNN" ;;
	cnn-aug) echo "--model cnn $CNN --augment $AUG" ;;
	cnn-cqcc) echo "--model cnn --features cqcc $CNN" ;;
	cnn-cqcc-aug) echo "--model cnn --features cqcc $CNN --augment $AUG" ;;
	cnn-lfcc) echo "--model cnn --features lfcc $CNN" ;;
	cnn-lfcc-aug) echo "--model cnn --features lfcc $CNN --augment $AUG" ;;
	cnn-spec) echo "--model cnn --features spec $CNN" ;;
	cnn-spec-aug) echo "--model cnn --features spec $CNN --augment $AUG" ;;
	cnn-cqcc-aug-hp) echo "--model cnn --features cqcc $CNN --augment rawboost:5@0.5,device@0.3,highpass@0.5,freqmask:8@0.5" ;;
	cnn-spec-aug-hp) echo "--model cnn --features spec $CNN --augment rawboost:5@0.5,device@0.3,highpass@0.5,freqmask:8@0.5" ;;
	cnn-cqcc-hp) echo "--model cnn --features cqcc $CNN --augment rawboost:5@0.5,highpass@0.5,freqmask:8@0.5" ;;
	# Screened variants of cnn-cqcc-aug (README: generalisation experiments).
	cnn-cqcc-aug-dev6) echo "--model cnn --features cqcc $CNN --augment rawboost:5@0.5,device@0.6,freqmask:8@0.5" ;;
	cnn-cqcc-aug-room) echo "--model cnn --features cqcc $CNN --augment rawboost:5@0.5,device@0.3,room@0.3,freqmask:8@0.5" ;;
	cnn-cqcc-aug-e8) echo "--model cnn --features cqcc --epochs 8 --frames-per-utt 64 --dev-frames 100 --augment $AUG" ;;
	# Utterance-level networks train on one 400-frame crop per utterance and
	# epoch (no --frames-per-utt); they need the graph engine's fast path.
	lcnn) echo "--model cnn --arch lcnn --features lfcc --epochs 4" ;;
	lcnn-aug) echo "--model cnn --arch lcnn --features lfcc --epochs 4 --augment $AUG" ;;
	lcnn-cqcc) echo "--model cnn --arch lcnn --features cqcc --epochs 4" ;;
	lcnn-cqcc-aug) echo "--model cnn --arch lcnn --features cqcc --epochs 4 --augment $AUG" ;;
	lcnn-e12) echo "--model cnn --arch lcnn --features lfcc --epochs 12" ;;
	stats-cqcc) echo "--model cnn --arch seed-cnn-stats --features cqcc --epochs 4" ;;
	stats-cqcc-aug) echo "--model cnn --arch seed-cnn-stats --features cqcc --epochs 4 --augment $AUG" ;;
	*) echo "unknown system $1" >&2; exit 2 ;;
	esac
}

for s in $SEEDS; do
	for sys in $SYSTEMS; do
		m="$OUT/models/$sys-$s"
		r="$OUT/results/$sys-$s"
		mkdir -p "$r"
		if [ ! -f "$r/eval.json" ]; then
			rm -rf "$m"
			start=$(date +%s)
			# shellcheck disable=SC2046
			$D train --quiet --corpus "$C" --out "$m" --seed "$s" --threads "$THREADS" $(flags "$sys") > "$r/train.txt"
			echo "$(($(date +%s) - start))" > "$r/train-seconds.txt"
			for set in dev eval; do
				$D score --quiet --model "$m" --corpus "$C" --set $set --out "$r/$set.txt" --threads "$THREADS"
			done
			$D calibrate --scores "$r/dev.txt" --protocol "$P/ASVspoof2017_V2_dev.trl.txt" --out "$r/cal.json" > "$r/cal.txt"
			$D eval --json --scores "$r/dev.txt" --protocol "$P/ASVspoof2017_V2_dev.trl.txt" > "$r/dev.json"
			$D eval --json --scores "$r/eval.txt" --calibration "$r/cal.json" --protocol "$P/ASVspoof2017_V2_eval.trl.txt" > "$r/eval.json"
		fi
		echo "$sys seed $s done"
	done
done
go run ./scripts/gentable -out "$OUT" -seeds "$SEEDS" -systems "$SYSTEMS" -fuse "$FUSE" > "$OUT/table.md"
cat "$OUT/table.md"
