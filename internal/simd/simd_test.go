package simd

import (
	"reflect"
	"testing"
)

func TestBestAndRunnable(t *testing.T) {
	sets := []Set[string]{{"avx2", true, "AVX2"}, {"avx512", false, "AVX-512F"}, {"vnni", true, "VNNI"}}
	for _, tc := range []struct {
		sets     []Set[string]
		best     string
		runnable []string
	}{
		{nil, "go", []string{"go"}},
		{sets[:1], "avx2", []string{"go", "avx2"}},
		{sets[:2], "avx2", []string{"go", "avx2"}},
		{sets, "vnni", []string{"go", "avx2", "vnni"}},
	} {
		if got := Best("go", tc.sets); got != tc.best {
			t.Errorf("Best(%v) = %s, want %s", tc.sets, got, tc.best)
		}
		if got := Runnable("go", tc.sets); !reflect.DeepEqual(got, tc.runnable) {
			t.Errorf("Runnable(%v) = %v, want %v", tc.sets, got, tc.runnable)
		}
	}
}

func TestForEachRunsSupportedSkipsOthers(t *testing.T) {
	var ran []string
	sets := []Set[string]{{"avx2", true, "AVX2"}, {"avx512", false, "AVX-512F"}}
	ForEach(t, "go", sets, func(s string) string { return s }, func(t *testing.T, ks string) { ran = append(ran, ks) })
	if !reflect.DeepEqual(ran, []string{"go", "avx2"}) {
		t.Errorf("ran %v, want go and avx2", ran)
	}
}
