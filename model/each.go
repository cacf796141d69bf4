package model

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"

	"github.com/deep4deep/deep4deep/audio"
)

// ScoreEach scores audio files of any format audio.Decoder knows (WAV,
// FLAC, MP3 in-process; Ogg, WebM, M4A, … through ffmpeg when installed) in
// parallel on workers goroutines (≤ 0 means 1), each with its own scorer.
// Unlike ScoreFiles it does not stop at a bad file: fn is called once per
// file, from the worker goroutines, with the file's index and either its
// score or an error naming the file. It returns an error only when no
// scorer can be made or ctx is cancelled.
func (m *Model) ScoreEach(ctx context.Context, paths []string, workers int, dec *audio.Decoder, fn func(i int, score float64, err error)) error {
	if dec == nil {
		dec = &audio.Decoder{}
	}
	workers = max(1, min(workers, len(paths)))
	threads := 1
	if len(paths) < workers*2 {
		threads = max(1, workers/max(1, len(paths)))
	}
	scorers := make([]Scorer, workers)
	for w := range scorers {
		sc, err := m.NewScorer(threads)
		if err != nil {
			for _, s := range scorers[:w] {
				s.Close()
			}
			return err
		}
		scorers[w] = sc
	}
	rate := m.Config.Features.SampleRate
	var next atomic.Int64
	var wg sync.WaitGroup
	for _, sc := range scorers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer sc.Close()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(paths) {
					return
				}
				score, err := scoreOne(ctx, sc, dec, paths[i], rate)
				fn(i, score, err)
			}
		}()
	}
	wg.Wait()
	return ctx.Err()
}

func scoreOne(ctx context.Context, sc Scorer, dec *audio.Decoder, path string, rate int) (float64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err // *PathError names the file
	}
	x, _, err := dec.DecodeTo(ctx, data, rate)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	s, err := sc.ScoreSamples(x)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}
