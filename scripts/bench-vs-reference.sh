#!/usr/bin/env bash
# Side-by-side speed of deep4deep and the reference programs of DESIGN §8, in
# one run on one machine (report ratios: absolute numbers move with load).
#
# Needs Debian's reference stack once:
#   apt-get install -y python3-numpy python3-soundfile python3-torch python3-sklearn libjemalloc2
# Run from anywhere; ../shared must sit beside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
py=/usr/bin/python3
jemalloc=(env LD_PRELOAD=libjemalloc.so.2 MALLOC_CONF=dirty_decay_ms:-1,muzzy_decay_ms:-1)
count=${COUNT:-3}

echo "== fbank, one core: seed NumPy vs Go (audio-s/s)"
OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 taskset -c 0 $py features/testdata/time_ref_fbank.py
taskset -c 0 go test -run '^$' -bench 'Fbank$' -cpu 1 -count "$count" ./features

echo "== CNN, 2 threads: PyTorch vs Go (samples/s; train batch 256, inference batch 1024)"
"${jemalloc[@]}" $py ../shared/bench/torch_cnn.py bench 2
go test -run '^$' -bench 'CNN(Train|Infer)$' -cpu 2 -count "$count" ./nn
"${jemalloc[@]}" $py ../shared/bench/torch_cnn.py bench 2

echo "== LCNN (nn/archs/lcnn.json), 2 threads: PyTorch vs Go (train samples/s, batch 16 × 400 frames × 60 LFCC; scoring audio-s/s, one 3 s utterance)"
"${jemalloc[@]}" $py nn/testdata/torch_arch.py bench nn/archs/lcnn.json 2 16 400
go test -run '^$' -bench 'LCNN(Train|Score)$' -cpu 2 -count "$count" ./nn
"${jemalloc[@]}" $py nn/testdata/torch_arch.py bench nn/archs/lcnn.json 2 16 400

echo "== GMM EM iteration, 100k × 60, 512 components, 2 threads: scikit-learn vs Go (frames/s)"
"${jemalloc[@]}" OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 $py gmm/testdata/sklearn_em.py
go test -run '^$' -bench 'GMMEMStep$' -cpu 2 -count "$count" ./gmm

echo "== CQCC and LFCC, one core (audio-s/s; the official CQCC Python port takes ~3 s per file)"
taskset -c 0 go test -run '^$' -bench 'CQCC$|LFCC$' -cpu 1 -count "$count" ./features

echo "== EER over 1 M trials, one core"
go test -run '^$' -bench 'EER$' -cpu 1 -count "$count" ./eval
