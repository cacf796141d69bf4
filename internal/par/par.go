// Package par is the one worker pool of deep4deep: a fixed number of
// goroutines, each owning its own state (an extractor, a scorer, a
// synthesiser), pull item indices from a shared counter until the items run
// out, the first error occurs or the context is cancelled. It is built on
// golang.org/x/sync/errgroup, which cancels the shared context on the first
// error, so every worker stops at its next item.
package par

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/deep4deep/deep4deep/progress"
)

// Workers returns the number of workers to run for n items when w are
// requested: w ≤ 0 means GOMAXPROCS, and never more workers than items
// (but at least 1).
func Workers(w, n int) int {
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	return max(1, min(w, n))
}

// Do runs fn(ctx, state, i) for every i in [0, n) on workers goroutines
// (≤ 0 means GOMAXPROCS; never more than n). Each goroutine first builds its
// own state with newState and hands it to release (if not nil) when it
// stops. Items are handed out in increasing order, each to exactly one
// worker.
//
// The first error — from newState or fn — cancels the ctx passed to fn and
// to the other workers, which stop before their next item; Do waits for all
// of them and returns that error. If ctx is cancelled first, Do returns
// ctx.Err(). report, if not nil, receives an event of Done 0 of Total n
// before the first item, then one after each finished item (Done rising by
// one each time) until the first error; its calls are serialised.
func Do[S any](ctx context.Context, n, workers int, newState func() (S, error), release func(S), fn func(ctx context.Context, s S, i int) error, report progress.Func) error {
	if n <= 0 {
		return ctx.Err()
	}
	report.Send(progress.Event{Total: n})
	workers = Workers(workers, n)
	g, gctx := errgroup.WithContext(ctx)
	var (
		next atomic.Int64
		mu   sync.Mutex
		done int
	)
	for w := 0; w < workers; w++ {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			s, err := newState()
			if err != nil {
				return err
			}
			if release != nil {
				defer release(s)
			}
			for {
				if err := gctx.Err(); err != nil {
					return err
				}
				i := int(next.Add(1) - 1)
				if i >= n {
					return nil
				}
				if err := fn(gctx, s, i); err != nil {
					return err
				}
				if report != nil {
					mu.Lock()
					// Report only while no worker has failed.
					if gctx.Err() == nil {
						done++
						report(progress.Event{Done: done, Total: n})
					}
					mu.Unlock()
				}
			}
		})
	}
	err := g.Wait()
	if cerr := ctx.Err(); err != nil && cerr != nil {
		// The caller's cancellation wins over the errors it caused.
		return cerr
	}
	return err
}
