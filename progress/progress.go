// Package progress is how deep4deep's long-running calls say how far they
// have got: one callback type, Func, receiving Events. Feature extraction,
// scoring, synthesis, training and the demo all report through it, and the
// command line turns the events into terminal progress bars; a library user
// can log them, forward them to a web page, or leave the Func nil.
package progress

import "sync"

// Event says that Done of Total units (Total 0: unknown) of one stage of
// work are finished.
//
// A call with several stages (training: features, epochs, dev scoring)
// names each in Stage; a single-stage call (features.ExtractFiles,
// model.ScoreFiles, synth.Generate) leaves Stage empty and its caller names
// it with Named. Work that runs other work inside its own stages (the demo
// runs training) puts its stage in Stage, the inner stage in Step, and
// numbers its stages Index (1-based) of Count; both are 0 otherwise.
type Event struct {
	Stage        string
	Step         string
	Index, Count int
	Unit         string // "files", "samples", "iterations", ...
	Done, Total  int
}

// Func receives progress events. A nil Func reports nothing.
//
// The events of one call are serialised (never concurrent) and arrive in
// order: a stage starts with an event of Done 0, and Done never decreases
// within it. A stage is over when Done reaches a non-zero Total, when the
// next stage starts, or when the call returns.
type Func func(Event)

// Send hands e to f; it does nothing when f is nil.
func (f Func) Send(e Event) {
	if f != nil {
		f(e)
	}
}

// Named returns a Func that fills in the Stage and Unit of each event where
// they are empty, then hands it to f; it returns nil when f is nil. It is how
// a caller names the stage of a single-stage call.
func (f Func) Named(stage, unit string) Func {
	if f == nil {
		return nil
	}
	return func(e Event) {
		if e.Stage == "" {
			e.Stage = stage
		}
		if e.Unit == "" {
			e.Unit = unit
		}
		f(e)
	}
}

// Stage starts a stage of total units: it sends the stage's first event
// (Done 0) now and returns update, which reports that done units are
// finished. update may be called from several goroutines; calls that would
// not increase Done are dropped, so events stay in order. With a nil f,
// update does nothing.
func (f Func) Stage(stage, unit string, total int) (update func(done int)) {
	if f == nil {
		return func(int) {}
	}
	var mu sync.Mutex
	e := Event{Stage: stage, Unit: unit, Total: total}
	f(e)
	return func(done int) {
		mu.Lock()
		defer mu.Unlock()
		if done > e.Done {
			e.Done = done
			f(e)
		}
	}
}
