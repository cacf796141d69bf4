package nn

import "sync"

// workers runs a function over item ranges on a fixed set of goroutines.
// Items are split into equal contiguous ranges, one per thread, so that the
// split, and therefore every floating-point summation order, depends only on
// the item count and the thread count: results are deterministic.
//
// Functions are passed as preallocated func values (fields set once), so a
// parallel region allocates nothing.
type workers struct {
	n    int
	jobs []chan job
	wg   sync.WaitGroup
}

type job struct {
	fn          func(tid, lo, hi int)
	tid, lo, hi int
}

func newWorkers(n int) *workers {
	w := &workers{n: n}
	for t := 1; t < n; t++ {
		ch := make(chan job)
		w.jobs = append(w.jobs, ch)
		go func() {
			for j := range ch {
				j.fn(j.tid, j.lo, j.hi)
				w.wg.Done()
			}
		}()
	}
	return w
}

// close stops the goroutines.
func (w *workers) close() {
	for _, ch := range w.jobs {
		close(ch)
	}
	w.jobs = nil
}

// run calls fn(tid, lo, hi) for the n ranges of [0, items) and waits.
func (w *workers) run(items int, fn func(tid, lo, hi int)) {
	if w.n == 1 || items <= 1 {
		fn(0, 0, items)
		return
	}
	k := w.n
	if items < k {
		k = items
	}
	w.wg.Add(k - 1)
	for t := 1; t < k; t++ {
		w.jobs[t-1] <- job{fn, t, items * t / k, items * (t + 1) / k}
	}
	fn(0, 0, items/k)
	w.wg.Wait()
}
