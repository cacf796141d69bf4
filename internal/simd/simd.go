// Package simd is the one way deep4deep's packages with assembly (features,
// gmm, nn) choose their kernels, in the style of hash/crc32: each package
// has a plain-Go kernel set, the reference, and lists the assembly sets of
// its architecture with whether this CPU can run them; the last (fastest)
// supported set is chosen once, at start-up, and tests run every supported
// set against the reference and skip the others by name (ForEach).
package simd

import "testing"

// Set is one assembly kernel set of a package (K is the package's own
// kernel-set type), whether this CPU supports it, and the CPU features it
// needs (for the tests' skip messages).
type Set[K any] struct {
	Kernels   K
	Supported bool
	Needs     string
}

// Best returns the last supported set of sets (listed fastest last), or ref
// when none is.
func Best[K any](ref K, sets []Set[K]) K {
	best := ref
	for _, s := range sets {
		if s.Supported {
			best = s.Kernels
		}
	}
	return best
}

// Runnable lists ref and then every supported set: the kernel sets this CPU
// can run.
func Runnable[K any](ref K, sets []Set[K]) []K {
	ks := []K{ref}
	for _, s := range sets {
		if s.Supported {
			ks = append(ks, s.Kernels)
		}
	}
	return ks
}

// ForEach runs f on ref and on every set, as subtests named by name; a set
// this CPU lacks is skipped with a message naming it and the features it
// needs.
func ForEach[K any](t *testing.T, ref K, sets []Set[K], name func(K) string, f func(t *testing.T, ks K)) {
	t.Run(name(ref), func(t *testing.T) { f(t, ref) })
	for _, s := range sets {
		t.Run(name(s.Kernels), func(t *testing.T) {
			if !s.Supported {
				t.Skipf("kernel set %s not tested: this CPU lacks %s", name(s.Kernels), s.Needs)
			}
			f(t, s.Kernels)
		})
	}
}
