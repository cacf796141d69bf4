package features

import (
	"context"
	"errors"
	"fmt"

	"github.com/deep4deep/deep4deep/audio"
	"github.com/deep4deep/deep4deep/internal/par"
	"github.com/deep4deep/deep4deep/progress"
)

// ErrNoFrames is the error for audio too short to hold one analysis frame;
// it survives wrapping (test with errors.Is).
var ErrNoFrames = errors.New("no feature frames (audio shorter than one analysis window)")

// ExtractFiles is ExtractFilesLimited with audio's default limits.
func ExtractFiles(ctx context.Context, c Config, paths []string, workers int, fn func(i int, m *Matrix) error, report progress.Func) error {
	return ExtractFilesLimited(ctx, c, audio.Limits{}, paths, workers, fn, report)
}

// ExtractFilesLimited computes the features described by c for every file in
// paths on workers goroutines (workers ≤ 0 means GOMAXPROCS), with the
// project's worker pool (internal/par). Each worker owns one Extractor and
// one Matrix and reuses them; audio is read with audio.LoadLimited(path,
// c.SampleRate, lim), so any WAV or FLAC at any rate works, and a file
// beyond lim is an error.
//
// fn(i, m) receives the features of paths[i]. It is called from the worker
// goroutines, possibly concurrently and in any order, and m is reused as
// soon as fn returns: fn must copy m.Data if it keeps it. report, if not
// nil, receives the progress in files (calls serialised; see par.Do).
//
// The first error — from reading, extracting or fn — stops every worker and
// is returned, naming the file's path once (errors of fn are wrapped with
// it, so fn should not name paths[i] itself); ctx's error is returned if ctx
// is cancelled first.
func ExtractFilesLimited(ctx context.Context, c Config, lim audio.Limits, paths []string, workers int, fn func(i int, m *Matrix) error, report progress.Func) error {
	// Validate the configuration once, before starting anything.
	if _, err := New(c); err != nil {
		return err
	}
	type state struct {
		ex Extractor
		m  Matrix
	}
	return par.Do(ctx, len(paths), workers,
		func() (*state, error) {
			ex, err := New(c)
			return &state{ex: ex}, err
		}, nil,
		func(_ context.Context, s *state, i int) error {
			x, err := audio.LoadLimited(paths[i], c.SampleRate, lim)
			if err != nil {
				return err // audio names the path
			}
			if err := s.ex.Extract(&s.m, x); err != nil {
				return fmt.Errorf("%s: %w", paths[i], err)
			}
			if err := fn(i, &s.m); err != nil {
				return fmt.Errorf("%s: %w", paths[i], err)
			}
			return nil
		}, report.Named("", "files"))
}
