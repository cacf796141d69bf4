package par

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/deep4deep/deep4deep/progress"
)

func TestDoEveryItemOnce(t *testing.T) {
	for _, tc := range []struct{ n, workers int }{
		{0, 4}, {1, 4}, {7, 1}, {7, 3}, {100, 0}, {100, 200},
	} {
		seen := make([]atomic.Int32, tc.n)
		var states, released atomic.Int32
		last := -1
		err := Do(context.Background(), tc.n, tc.workers,
			func() (*int, error) { states.Add(1); return new(int), nil },
			func(*int) { released.Add(1) },
			func(_ context.Context, s *int, i int) error { *s++; seen[i].Add(1); return nil },
			func(e progress.Event) {
				if e.Done != last+1 || e.Total != tc.n {
					t.Errorf("n=%d: progress %d of %d after %d", tc.n, e.Done, e.Total, last)
				}
				last = e.Done
			})
		if err != nil {
			t.Fatalf("n=%d workers=%d: %v", tc.n, tc.workers, err)
		}
		for i := range seen {
			if c := seen[i].Load(); c != 1 {
				t.Errorf("n=%d workers=%d: item %d ran %d times", tc.n, tc.workers, i, c)
			}
		}
		if tc.n > 0 && last != tc.n {
			t.Errorf("n=%d: last progress %d", tc.n, last)
		}
		if tc.n > 0 && (states.Load() != int32(Workers(tc.workers, tc.n)) || released.Load() != states.Load()) {
			t.Errorf("n=%d workers=%d: %d states built, %d released, want %d", tc.n, tc.workers, states.Load(), released.Load(), Workers(tc.workers, tc.n))
		}
	}
}

func TestDoFirstErrorStopsAll(t *testing.T) {
	boom := errors.New("boom")
	var ran atomic.Int32
	err := Do(context.Background(), 10000, 4,
		func() (struct{}, error) { return struct{}{}, nil }, nil,
		func(ctx context.Context, _ struct{}, i int) error {
			ran.Add(1)
			if i == 10 {
				return boom
			}
			return nil
		}, nil)
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	// Each of the 4 workers finishes at most the item it holds after the
	// failure; nowhere near all 10000 items run.
	if n := ran.Load(); n > 1000 {
		t.Errorf("%d items ran after the first error", n)
	}
}

func TestDoStateErrorStopsStartedWorkers(t *testing.T) {
	boom := errors.New("no state")
	var built atomic.Int32
	var mu sync.Mutex
	released := 0
	err := Do(context.Background(), 1000000, 4,
		func() (int, error) {
			if built.Add(1) == 3 {
				return 0, boom
			}
			return 0, nil
		},
		func(int) { mu.Lock(); released++; mu.Unlock() },
		func(ctx context.Context, _ int, i int) error { return nil }, nil)
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want %v", err, boom)
	}
	if released != int(built.Load())-1 {
		t.Errorf("%d states released, %d built without error", released, built.Load()-1)
	}
}

func TestDoCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var ran atomic.Int32
	err := Do(ctx, 1000000, 2, func() (int, error) { return 0, nil }, nil,
		func(_ context.Context, _ int, i int) error {
			if ran.Add(1) == 100 {
				cancel()
			}
			return nil
		}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n := ran.Load(); n > 1000 {
		t.Errorf("%d items ran after cancellation", n)
	}
	// An already cancelled context runs nothing.
	ran.Store(0)
	if err := Do(ctx, 10, 2, func() (int, error) { return 0, nil }, nil,
		func(context.Context, int, int) error { ran.Add(1); return nil }, nil); !errors.Is(err, context.Canceled) || ran.Load() != 0 {
		t.Errorf("cancelled ctx: err %v, %d items ran", err, ran.Load())
	}
}

func TestWorkers(t *testing.T) {
	for _, tc := range []struct{ w, n, want int }{
		{4, 10, 4}, {4, 2, 2}, {4, 0, 1}, {1, 100, 1},
	} {
		if got := Workers(tc.w, tc.n); got != tc.want {
			t.Errorf("Workers(%d, %d) = %d, want %d", tc.w, tc.n, got, tc.want)
		}
	}
}
