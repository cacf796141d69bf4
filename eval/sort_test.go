package eval

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSortedKeys checks the radix sort of score keys against slices.Sort on
// the floats: same order, for sizes around the small-slice cut-off, with
// duplicates, both zeros, infinities and subnormals.
func TestSortedKeys(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	special := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), 5e-324, -5e-324,
		math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, 1, -1}
	for _, n := range []int{0, 1, 2, 255, 256, 257, 1000, 5000} {
		for _, kind := range []string{"normal", "ties", "special", "positive"} {
			x := make([]float64, n)
			for i := range x {
				switch kind {
				case "normal":
					x[i] = rng.NormFloat64() * 1e3
				case "ties":
					x[i] = float64(rng.IntN(5)) - 2
				case "special":
					x[i] = special[rng.IntN(len(special))]
				case "positive":
					x[i] = 1 + rng.Float64()
				}
			}
			orig := slices.Clone(x)
			keys, ok := sortedKeys(x)
			if !ok || len(keys) != n {
				t.Fatalf("%s/%d: ok %v, %d keys", kind, n, ok, len(keys))
			}
			if !slices.Equal(x, orig) {
				t.Fatalf("%s/%d: input modified", kind, n)
			}
			want := slices.Clone(x)
			slices.Sort(want)
			for i := range want {
				if keys[i] != scoreKey(want[i]) {
					t.Fatalf("%s/%d: key %d is %x, want that of %v", kind, n, i, keys[i], want[i])
				}
				if i > 0 && (keys[i] < keys[i-1]) {
					t.Fatalf("%s/%d: not sorted at %d", kind, n, i)
				}
			}
		}
	}
	// The key order is the float order, and -0 ties with +0.
	for i := 0; i < 10000; i++ {
		a, b := special[rng.IntN(len(special))], rng.NormFloat64()
		if i%2 == 0 {
			b = special[rng.IntN(len(special))]
		}
		if (a < b) != (scoreKey(a) < scoreKey(b)) || (a == b) != (scoreKey(a) == scoreKey(b)) {
			t.Fatalf("key order differs for %v, %v", a, b)
		}
	}
	if _, ok := sortedKeys([]float64{1, math.NaN()}); ok {
		t.Error("NaN accepted")
	}
}

// BenchmarkSortScores compares the radix sort of score keys with
// slices.Sort on the float64 scores (what it replaces), reporting scores/s.
func BenchmarkSortScores(b *testing.B) {
	for _, n := range []int{13306, 1_000_000} {
		_, x := randomScores(n*10/9, 5)
		x = x[:n]
		b.Run("radix/"+itoa(n), func(b *testing.B) {
			for b.Loop() {
				sortedKeys(x)
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "scores/s")
		})
		b.Run("pdqsort/"+itoa(n), func(b *testing.B) {
			for b.Loop() {
				slices.Sort(slices.Clone(x))
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "scores/s")
		})
	}
}
