package features

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/deep4deep/deep4deep/audio"
)

// ExtractFiles is ExtractFilesLimited with audio's default limits.
func ExtractFiles(ctx context.Context, c Config, paths []string, workers int, fn func(i int, m *Matrix) error, progress func(done int)) error {
	return ExtractFilesLimited(ctx, c, audio.Limits{}, paths, workers, fn, progress)
}

// ExtractFilesLimited computes the features described by c for every file in
// paths on workers goroutines (workers ≤ 0 means GOMAXPROCS). Each worker
// owns one Extractor and one Matrix and reuses them; audio is read with
// audio.LoadLimited(path, c.SampleRate, lim), so any WAV or FLAC at any rate
// works, and a file beyond lim is an error.
//
// fn(i, m) receives the features of paths[i]. It is called from the worker
// goroutines, possibly concurrently and in any order, and m is reused as
// soon as fn returns: fn must copy m.Data if it keeps it. progress, if not
// nil, is called after each file with the number of files done so far;
// calls are serialised.
//
// The first error — from reading, extracting or fn — cancels the remaining
// work and is returned, naming the file's path; so is ctx's error if ctx is
// cancelled first.
func ExtractFilesLimited(ctx context.Context, c Config, lim audio.Limits, paths []string, workers int, fn func(i int, m *Matrix) error, progress func(done int)) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, len(paths)))
	if len(paths) == 0 {
		return ctx.Err()
	}
	// Validate the configuration once, before starting anything.
	if _, err := New(c); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var (
		mu       sync.Mutex
		firstErr error
		done     int
	)
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
			cancel()
		}
		mu.Unlock()
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ex, err := New(c)
			if err != nil {
				fail(err)
				return
			}
			var m Matrix
			for i := range jobs {
				if err := extractOne(ex, &m, c.SampleRate, lim, paths[i], i, fn); err != nil {
					fail(err)
					continue // drain: the feeder stops on cancellation
				}
				mu.Lock()
				done++
				if progress != nil && firstErr == nil {
					progress(done)
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for i := range paths {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

func extractOne(ex Extractor, m *Matrix, rate int, lim audio.Limits, path string, i int, fn func(int, *Matrix) error) error {
	x, err := audio.LoadLimited(path, rate, lim)
	if err != nil {
		return err // names the path
	}
	if err := ex.Extract(m, x); err != nil {
		return withPath(path, err)
	}
	return withPath(path, fn(i, m))
}

// withPath prefixes err with path unless its message already names it.
func withPath(path string, err error) error {
	if err == nil || strings.Contains(err.Error(), path) {
		return err
	}
	return fmt.Errorf("%s: %w", path, err)
}
