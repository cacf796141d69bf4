package demo

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Event reports the progress of Run: stage Index (1-based) of Count named
// Stage has finished Done of Total units (Total 0: unknown). Run sends one
// event with Done 0 when a stage starts, then one whenever its library call
// reports progress.
type Event struct {
	Stage        string // "synth", "train cnn-fbank", "score gmm-cqcc eval", ...
	Index, Count int
	Done, Total  int
	Unit         string // "files", "batches", "iterations", ...
}

// tick is how a stage reports that done of total units are finished; total 0
// keeps the previous total. It is safe for concurrent use, since library
// progress callbacks may run in worker goroutines.
type tick func(done, total int)

// runner runs the stages of the demo in order, timing each and reporting
// progress.
type runner struct {
	progress func(Event)
	count    int
	index    int
	times    []StageTime
}

// run runs stage name: f does the work and reports through its tick. The
// wall time is recorded for the report; a cancelled context stops the demo
// before the stage starts.
func (r *runner) run(ctx context.Context, name, unit string, f func(t tick) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.index++
	var mu sync.Mutex
	ev := Event{Stage: name, Index: r.index, Count: r.count, Unit: unit}
	t := func(done, total int) {
		if r.progress == nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if total > 0 {
			ev.Total = total
		}
		ev.Done = done
		r.progress(ev)
	}
	t(0, 0)
	start := time.Now()
	err := f(t)
	r.times = append(r.times, StageTime{Name: name, Seconds: time.Since(start).Seconds()})
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
