package main

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"

	"github.com/deep4deep/deep4deep/internal/cli"
	"github.com/deep4deep/deep4deep/progress"
)

// fakeBar records what a bar was asked to show.
type fakeBar struct {
	log  *[]string
	desc string
}

func (f *fakeBar) Add(n int) { *f.log = append(*f.log, fmt.Sprintf("%s +%d", f.desc, n)) }
func (f *fakeBar) Done()     { *f.log = append(*f.log, f.desc+" done") }

// TestBarsOnePerStage feeds the events of a nested run (as the demo sends
// them) to the bars: each stage and step gets its own named bar, a bar ends
// when its stage is complete or the next starts, and nothing is counted
// twice.
func TestBarsOnePerStage(t *testing.T) {
	var log []string
	b := &bars{open: func(total int64, desc, unit string) bar {
		log = append(log, fmt.Sprintf("open %q %d %s", desc, total, unit))
		return &fakeBar{&log, desc}
	}}
	for _, e := range []progress.Event{
		{Stage: "synthesise corpus", Index: 1, Count: 6, Unit: "files", Total: 3},
		{Stage: "synthesise corpus", Index: 1, Count: 6, Unit: "files", Done: 2, Total: 3},
		{Stage: "synthesise corpus", Index: 1, Count: 6, Unit: "files", Done: 3, Total: 3},
		{Stage: "train cnn-fbank", Index: 2, Count: 6, Step: "epoch 1/2", Unit: "samples", Total: 10},
		{Stage: "train cnn-fbank", Index: 2, Count: 6, Step: "epoch 1/2", Unit: "samples", Done: 4, Total: 10},
		{Stage: "train cnn-fbank", Index: 2, Count: 6, Step: "epoch 2/2", Unit: "samples", Total: 10},
		{Stage: "evaluate", Unit: "", Done: 1},
	} {
		b.report(e)
	}
	b.done()
	want := []string{
		`open "[1/6] synthesise corpus" 3 files`,
		"[1/6] synthesise corpus +2",
		"[1/6] synthesise corpus +1",
		"[1/6] synthesise corpus done",
		`open "[2/6] train cnn-fbank: epoch 1/2" 10 samples`,
		"[2/6] train cnn-fbank: epoch 1/2 +4",
		"[2/6] train cnn-fbank: epoch 1/2 done",
		`open "[2/6] train cnn-fbank: epoch 2/2" 10 samples`,
		"[2/6] train cnn-fbank: epoch 2/2 done",
		`open "evaluate" -1 `,
		"evaluate +1",
		"evaluate done",
	}
	if !reflect.DeepEqual(log, want) {
		t.Errorf("bars did\n%q\nwant\n%q", log, want)
	}
}

// TestBarsQuiet: a quiet or non-terminal env draws nothing.
func TestBarsQuiet(t *testing.T) {
	for _, env := range []*cli.Env{{Terminal: true, Quiet: true}, {Terminal: false}} {
		var stderr bytes.Buffer
		env.Stderr = &stderr
		b, report := newBars(env)
		report(progress.Event{Stage: "synth", Unit: "files", Done: 1, Total: 2})
		b.done()
		if stderr.Len() != 0 {
			t.Errorf("env %+v drew %q", env, stderr.String())
		}
	}
}
