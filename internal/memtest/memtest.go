// Package memtest measures how many heap bytes a call allocates, for the
// allocation budgets that parsers' tests and fuzz targets assert
// ("bytes allocated ≤ k × input size + constant"): a decoder that trusts a
// size field then fails at once in a test instead of after the OOM killer.
package memtest

import (
	"fmt"
	"runtime"
)

// Allocated returns the bytes f allocates on the heap
// (runtime.MemStats.TotalAlloc around the call). Allocations by other
// goroutines running meanwhile are counted too, so callers must not run in
// parallel with other work (a fuzz worker runs one input at a time).
func Allocated(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// Budget is an allocation budget of PerByte bytes per input byte plus Const.
type Budget struct {
	PerByte, Const uint64
}

// Check runs f, whose input is n bytes long, and returns an error when it
// allocates more than the budget allows.
func (b Budget) Check(n int, f func()) error {
	got := Allocated(f)
	if limit := b.PerByte*uint64(n) + b.Const; got > limit {
		return fmt.Errorf("allocated %d bytes for %d input bytes, budget %d (%d/byte + %d)", got, n, limit, b.PerByte, b.Const)
	}
	return nil
}
