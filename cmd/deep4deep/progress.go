package main

import (
	"fmt"

	"github.com/deep4deep/deep4deep/internal/cli"
	"github.com/deep4deep/deep4deep/progress"
)

// bars shows a library call's progress events as terminal bars, one per
// stage (and step): "[i/n] stage: step" with its ETA and throughput. A bar
// is removed when its stage is done (Done reaches Total), when the next
// stage starts, or by done, so that log lines never interleave with a bar.
// On a quiet or non-terminal env it shows nothing.
type bars struct {
	open  func(total int64, desc, unit string) bar // env.Progress; nil when nothing is drawn
	bar   bar
	key   progress.Event // the current stage's event with Done 0
	shown int
}

// bar is what bars needs of a *cli.Progress.
type bar interface {
	Add(n int)
	Done()
}

// newBars returns the bars of env and the progress.Func that feeds them.
func newBars(env *cli.Env) (*bars, progress.Func) {
	b := &bars{open: func(total int64, desc, unit string) bar {
		if p := env.Progress(total, desc, unit); p != nil {
			return p
		}
		return nil
	}}
	return b, b.report
}

func (b *bars) report(e progress.Event) {
	key := e
	key.Done = 0
	if b.bar == nil || key != b.key {
		b.done()
		total := int64(e.Total)
		if total == 0 {
			total = -1 // unknown: a spinner
		}
		desc := e.Stage
		if e.Count > 0 {
			desc = fmt.Sprintf("[%d/%d] %s", e.Index, e.Count, e.Stage)
		}
		if e.Step != "" {
			desc += ": " + e.Step
		}
		b.bar = b.open(total, desc, e.Unit)
		if b.bar == nil {
			return
		}
		b.key, b.shown = key, 0
	}
	if e.Done > b.shown {
		b.bar.Add(e.Done - b.shown)
		b.shown = e.Done
	}
	if e.Total > 0 && e.Done >= e.Total {
		b.done()
	}
}

// done removes the current bar, if any.
func (b *bars) done() {
	if b.bar != nil {
		b.bar.Done()
		b.bar = nil
	}
}
