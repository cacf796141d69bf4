package demo

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Event reports the progress of Run: in stage Index (1-based) of Count,
// named Stage, the current step (Step, e.g. "epoch 2" or "fbank features of
// train"; empty for single-step stages) has finished Done of Total units
// (Total 0: unknown). Run sends an event with Done 0 whenever a stage or a
// step starts, then one whenever its library call reports progress.
type Event struct {
	Stage        string // "synthesise corpus", "train cnn-fbank", ...
	Index, Count int
	Step         string
	Done, Total  int
	Unit         string // "files", "batches", "iterations", ...
}

// stageProgress is how a stage reports its progress. It is safe for
// concurrent use, since library progress callbacks may run in worker
// goroutines; it does nothing when the demo has no progress callback.
type stageProgress struct {
	mu   sync.Mutex
	ev   Event
	send func(Event)
}

// step starts a new step of the stage with total units named unit.
func (p *stageProgress) step(name, unit string, total int) {
	if p.send == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ev.Step, p.ev.Unit, p.ev.Total, p.ev.Done = name, unit, total, 0
	p.send(p.ev)
}

// update reports that done units of the current step are finished; total,
// when > 0, changes the step's total.
func (p *stageProgress) update(done, total int) {
	if p.send == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if total > 0 {
		p.ev.Total = total
	}
	if done > p.ev.Done {
		p.ev.Done = done
	}
	p.send(p.ev)
}

// runner runs the stages of the demo in order, timing each and reporting
// progress.
type runner struct {
	progress func(Event)
	count    int
	index    int
	times    []StageTime
}

// run runs stage name: f does the work and reports through p. The wall time
// is recorded for the report; a cancelled context stops the demo before the
// stage starts. Errors are prefixed with the stage name.
func (r *runner) run(ctx context.Context, name, unit string, f func(p *stageProgress) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.index++
	p := &stageProgress{ev: Event{Stage: name, Index: r.index, Count: r.count, Unit: unit}, send: r.progress}
	p.update(0, 0)
	start, cpu := time.Now(), cpuSeconds()
	err := f(p)
	r.times = append(r.times, StageTime{Name: name, Seconds: time.Since(start).Seconds(), CPUSeconds: cpuSeconds() - cpu})
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
