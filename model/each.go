package model

import (
	"context"
	"fmt"
	"os"

	"github.com/deep4deep/deep4deep/audio"
	"github.com/deep4deep/deep4deep/internal/par"
)

// PredictEach is PredictFiles for audio of any format audio.Decoder knows
// (WAV, FLAC, MP3 in-process; Ogg, WebM, M4A, … through ffmpeg when
// installed; dec nil: the zero Decoder, with m.Limits), and it does not stop
// at a bad file: fn is called once per file, from the worker goroutines,
// with the file's index and either its prediction or an error naming the
// file. workers ≤ 0 means GOMAXPROCS. It returns an error only when no
// predictor can be made or ctx is cancelled.
func (m *Model) PredictEach(ctx context.Context, paths []string, workers int, dec *audio.Decoder, fn func(i int, p Prediction, err error)) error {
	if dec == nil {
		dec = &audio.Decoder{Limits: m.Limits}
	}
	if len(paths) == 0 {
		return ctx.Err()
	}
	workers, threads := split(workers, len(paths))
	// A bad file is reported through fn and does not stop the others, so
	// the item function never fails: only a predictor that cannot be made
	// or a cancelled ctx stops the pool.
	return par.Do(ctx, len(paths), workers,
		func() (*predictor, error) { return m.newPredictor(threads) },
		(*predictor).close,
		func(ctx context.Context, p *predictor, i int) error {
			pr, err := p.predictPath(ctx, dec, paths[i])
			fn(i, pr, err)
			return nil
		}, nil)
}

// predictPath reads, decodes and predicts one file; errors name it.
func (p *predictor) predictPath(ctx context.Context, dec *audio.Decoder, path string) (Prediction, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Prediction{}, err // *PathError names the file
	}
	x, _, err := dec.DecodeTo(ctx, data, p.cfg.Features.SampleRate)
	if err != nil {
		return Prediction{}, fmt.Errorf("%s: %w", path, err)
	}
	pr, err := p.predictSamples(x)
	if err != nil {
		return Prediction{}, fmt.Errorf("%s: %w", path, err)
	}
	return pr, nil
}
