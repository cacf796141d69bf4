package progress

import (
	"reflect"
	"sync"
	"testing"
)

func TestNilFuncReportsNothing(t *testing.T) {
	var f Func
	f.Send(Event{Done: 1})
	if f.Named("x", "files") != nil {
		t.Fatal("Named of a nil Func is not nil")
	}
	f.Stage("x", "files", 3)(2) // must not panic
}

func TestNamedFillsOnlyEmptyFields(t *testing.T) {
	var got []Event
	f := Func(func(e Event) { got = append(got, e) }).Named("score eval", "files")
	f(Event{Done: 1, Total: 2})
	f(Event{Stage: "inner", Unit: "frames", Done: 2, Total: 2})
	want := []Event{
		{Stage: "score eval", Unit: "files", Done: 1, Total: 2},
		{Stage: "inner", Unit: "frames", Done: 2, Total: 2},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

func TestStageStartsAtZeroAndNeverGoesBack(t *testing.T) {
	var mu sync.Mutex
	var got []Event
	f := Func(func(e Event) { mu.Lock(); got = append(got, e); mu.Unlock() })
	update := f.Stage("epoch 1/2", "samples", 100)
	if len(got) != 1 || got[0] != (Event{Stage: "epoch 1/2", Unit: "samples", Total: 100}) {
		t.Fatalf("first event %+v", got)
	}
	// Several goroutines, out of order: only increases pass.
	var wg sync.WaitGroup
	for _, d := range []int{40, 10, 100, 70, 40} {
		wg.Add(1)
		go func() { defer wg.Done(); update(d) }()
	}
	wg.Wait()
	for i := 1; i < len(got); i++ {
		if got[i].Done <= got[i-1].Done {
			t.Fatalf("Done went from %d to %d", got[i-1].Done, got[i].Done)
		}
	}
	if last := got[len(got)-1]; last.Done != 100 {
		t.Fatalf("last Done %d, want 100", last.Done)
	}
}
