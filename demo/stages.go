package demo

import (
	"context"
	"fmt"
	"github.com/deep4deep/deep4deep/progress"
	"sync"
	"time"
)

// stageProgress reports the progress of one stage of Run. The stage's
// events carry its name in Stage and its number in Index of Count; the
// library calls it makes report through inner, and their stages become
// the event's Step. It is safe for concurrent use, and does nothing when the
// demo has no progress callback.
type stageProgress struct {
	mu   sync.Mutex
	ev   progress.Event
	send progress.Func
}

// start announces the stage (Done 0).
func (p *stageProgress) start() {
	p.send.Send(p.ev)
}

// inner returns the progress callback for a library call made in the stage;
// step names the call's work when the call names none (a single-stage call).
func (p *stageProgress) inner(step string) progress.Func {
	if p.send == nil {
		return nil
	}
	return func(e progress.Event) {
		p.mu.Lock()
		defer p.mu.Unlock()
		ev := p.ev
		ev.Step = e.Stage
		if ev.Step == "" {
			ev.Step = step
		}
		if e.Unit != "" {
			ev.Unit = e.Unit
		}
		ev.Done, ev.Total = e.Done, e.Total
		p.send(ev)
	}
}

// runner runs the stages of the demo in order, timing each and reporting
// progress.
type runner struct {
	progress progress.Func
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
	p := &stageProgress{ev: progress.Event{Stage: name, Index: r.index, Count: r.count, Unit: unit}, send: r.progress}
	p.start()
	start, cpu := time.Now(), cpuSeconds()
	err := f(p)
	r.times = append(r.times, StageTime{Name: name, Seconds: time.Since(start).Seconds(), CPUSeconds: cpuSeconds() - cpu})
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
