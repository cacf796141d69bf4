// Package train trains deep4deep's models on a corpus (DESIGN §4): the seed's
// CNN on context images of normalised filterbank frames, with per-epoch dev
// evaluation, best-epoch selection, early stopping and resumable
// checkpoints; and the two-GMM baseline on any feature kind. Both write a
// model directory (package model) with a training log.
//
// Memory: the train frames live in one chunked float32 arena (4 bytes ×
// frames × dims: 0.4 GB for the 1.59 M frames of the real train set); the
// CNN's 64×17 context images are cut from it on the fly, one mini-batch at a
// time, on a goroutine that runs one batch ahead of the engine (double
// buffering). The dev set is not kept: each evaluation streams it, 64
// utterances at a time. Measured: a CNN run on a synthetic corpus with the
// real protocol's 3,014 train and 1,710 dev utterances (1.82 M train frames)
// peaks at 878 MB resident (/usr/bin/time -v, with the train command's
// GOGC 25).
package train

import (
	"fmt"
	"runtime"

	"github.com/deep4deep/deep4deep/corpus"
)

// logf prints one line through f when it is not nil.
func logf(f func(string, ...any), format string, args ...any) {
	if f != nil {
		f(format, args...)
	}
}

func defaultThreads(n int) int {
	if n > 0 {
		return n
	}
	return runtime.GOMAXPROCS(0)
}

// loadTrainDev reads and validates the train and dev protocols of c (every
// listed audio file must exist, both classes present) and fingerprints them.
// It runs before any feature work, so a broken corpus fails at once.
func loadTrainDev(c corpus.Corpus) (train, dev []corpus.Trial, fp *corpus.Fingerprint, err error) {
	if train, err = c.Trials(corpus.Train); err != nil {
		return nil, nil, nil, err
	}
	if dev, err = c.Trials(corpus.Dev); err != nil {
		return nil, nil, nil, err
	}
	if err = checkClasses(corpus.Train, train); err != nil {
		return nil, nil, nil, err
	}
	if err = checkClasses(corpus.Dev, dev); err != nil {
		return nil, nil, nil, err
	}
	fp, err = c.Fingerprint(map[corpus.Set][]corpus.Trial{corpus.Train: train, corpus.Dev: dev})
	if err != nil {
		return nil, nil, nil, err
	}
	return train, dev, fp, nil
}

// checkClasses requires both classes in a set: training needs examples of
// each, and an EER needs scores of each.
func checkClasses(set corpus.Set, trials []corpus.Trial) error {
	var n [2]int
	for _, t := range trials {
		n[t.Label]++
	}
	if n[corpus.Genuine] == 0 || n[corpus.Spoof] == 0 {
		return fmt.Errorf("the %s set has %d genuine and %d spoof trials; training needs both classes in train and dev", set, n[corpus.Genuine], n[corpus.Spoof])
	}
	return nil
}
