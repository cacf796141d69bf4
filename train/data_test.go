package train

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/deep4deep/deep4deep/features"
)

// testSet builds a frameSet of utterances with the given frame counts and
// labels; frame t of utterance u holds values u*1000 + t + d/100.
func testSet(rows []int, labels []int32, dim int) *frameSet {
	s := &frameSet{dim: dim, labels: labels}
	for u, r := range rows {
		buf := s.arena.alloc(r * dim)
		for t := 0; t < r; t++ {
			for d := 0; d < dim; d++ {
				buf[t*dim+d] = float32(u*1000+t) + float32(d)/100
			}
		}
		s.utts = append(s.utts, features.Matrix{Rows: r, Cols: dim, Data: buf})
	}
	s.finish()
	return s
}

func TestEpochSamples(t *testing.T) {
	rows := []int{50, 7, 120, 30, 3}
	labels := []int32{1, 0, 0, 1, 0} // genuine 80 frames, spoof 130
	s := testSet(rows, labels, 2)
	tests := []struct {
		name         string
		framesPerUtt int
		balance      bool
		want         [2]int // samples per class (spoof, genuine)
		perUttMax    int
	}{
		{"every frame", 0, false, [2]int{130, 80}, 0},
		{"subsample 10", 10, false, [2]int{10 + 7 + 3, 20}, 10},
		{"balanced", 0, true, [2]int{80, 80}, 0},
		{"subsample and balance", 10, true, [2]int{20, 20}, 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := epochSamples(rand.New(rand.NewPCG(1, 3)), s, tc.framesPerUtt, tc.balance)
			b := epochSamples(rand.New(rand.NewPCG(1, 3)), s, tc.framesPerUtt, tc.balance)
			c := epochSamples(rand.New(rand.NewPCG(1, 4)), s, tc.framesPerUtt, tc.balance)
			if !slices.Equal(a, b) {
				t.Fatal("same seed and epoch gave different samples")
			}
			if slices.Equal(a, c) {
				t.Fatal("another epoch gave the same order")
			}
			var got [2]int
			perUtt := make([]int, len(rows))
			seen := map[uint32]bool{}
			for _, g := range a {
				if seen[g] {
					t.Fatalf("sample %d drawn twice", g)
				}
				seen[g] = true
				u, fr := s.locate(int(g))
				if fr < 0 || fr >= rows[u] {
					t.Fatalf("sample %d located at utterance %d frame %d", g, u, fr)
				}
				got[labels[u]]++
				perUtt[u]++
			}
			if got != tc.want {
				t.Fatalf("samples per class %v, want %v", got, tc.want)
			}
			if tc.perUttMax > 0 && !tc.balance {
				for u, n := range perUtt {
					if n != min(tc.perUttMax, rows[u]) {
						t.Errorf("utterance %d: %d samples, want %d", u, n, min(tc.perUttMax, rows[u]))
					}
				}
			}
			// Shuffled: the order is not the sorted one.
			if slices.IsSorted(a) {
				t.Error("samples not shuffled")
			}
		})
	}
}

func TestLocate(t *testing.T) {
	s := testSet([]int{3, 1, 4}, []int32{0, 1, 0}, 1)
	want := [][2]int{{0, 0}, {0, 1}, {0, 2}, {1, 0}, {2, 0}, {2, 1}, {2, 2}, {2, 3}}
	for g, w := range want {
		if u, fr := s.locate(g); u != w[0] || fr != w[1] {
			t.Errorf("locate(%d) = %d,%d, want %v", g, u, fr, w)
		}
	}
}

func TestDevFrames(t *testing.T) {
	tests := []struct {
		n, limit int
		want     []int
	}{
		{5, 0, []int{0, 1, 2, 3, 4}},
		{3, 8, []int{0, 1, 2}},
		{10, 2, []int{2, 7}},
		{100, 4, []int{12, 37, 62, 87}},
	}
	for _, tc := range tests {
		if got := devFrames(tc.n, tc.limit, nil); !slices.Equal(got, tc.want) {
			t.Errorf("devFrames(%d, %d) = %v, want %v", tc.n, tc.limit, got, tc.want)
		}
	}
}

// TestBatcher checks the double-buffered batches against images cut by hand
// from the DESIGN §3 definition: image[d][j] = frame[clamp(t−half+j)][d].
func TestBatcher(t *testing.T) {
	const dim, half = 3, 2
	w := 2*half + 1
	s := testSet([]int{4, 9, 1}, []int32{1, 0, 1}, dim)
	samples := epochSamples(rand.New(rand.NewPCG(2, 1)), s, 0, false)
	for _, start := range []int{0, 5} {
		bt := newBatcher(s, samples, start, 4, half)
		i := start
		for b := bt.next(); b != nil; b = bt.next() {
			for k := 0; k < b.n; k++ {
				u, tt := s.locate(int(samples[i]))
				if b.y[k] != s.labels[u] {
					t.Fatalf("sample %d: label %d, want %d", i, b.y[k], s.labels[u])
				}
				m := &s.utts[u]
				for d := 0; d < dim; d++ {
					for j := 0; j < w; j++ {
						src := min(max(tt-half+j, 0), m.Rows-1)
						if got, want := b.x[k*dim*w+d*w+j], m.Row(src)[d]; got != want {
							t.Fatalf("sample %d (utt %d frame %d) pixel [%d][%d] = %v, want %v", i, u, tt, d, j, got, want)
						}
					}
				}
				i++
			}
			bt.release(b)
		}
		bt.close()
		if i != len(samples) {
			t.Fatalf("start %d: batches covered samples up to %d of %d", start, i, len(samples))
		}
	}
	// Closing early must not hang.
	bt := newBatcher(s, samples, 0, 1, half)
	bt.next()
	bt.close()
}

// TestArenaReuse: after reset the arena hands out its chunks again, in
// order, instead of allocating; a request larger than the free tail takes
// the next chunk big enough; reserve adds an exact-size chunk only when no
// chunk is large enough.
func TestArenaReuse(t *testing.T) {
	var a arena
	a.reserve(100)
	if len(a.chunks) != 1 || len(a.chunks[0]) != 100 {
		t.Fatalf("reserve(100): chunks of %d", chunkLens(a.chunks))
	}
	x := a.alloc(60)
	y := a.alloc(50) // does not fit the 40 left: a new chunk
	if &x[0] != &a.chunks[0][0] || len(a.chunks) != 2 || &y[0] != &a.chunks[1][0] {
		t.Fatalf("first round: chunks %v", chunkLens(a.chunks))
	}
	a.reserve(100) // the first chunk is large enough
	a.reset()
	x2, y2 := a.alloc(60), a.alloc(50)
	if &x2[0] != &x[0] || &y2[0] != &y[0] || len(a.chunks) != 2 {
		t.Errorf("after reset: memory not reused (chunks %v)", chunkLens(a.chunks))
	}
	a.reset()
	z := a.alloc(arenaChunk + 1) // larger than every chunk: skips them
	if len(a.chunks) != 3 || &z[0] != &a.chunks[2][0] {
		t.Errorf("large request: chunks %v", chunkLens(a.chunks))
	}
}

func chunkLens(c [][]float32) []int {
	n := make([]int, len(c))
	for i := range c {
		n[i] = len(c[i])
	}
	return n
}
