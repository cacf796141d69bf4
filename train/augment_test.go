package train

import (
	"context"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/features"
)

// TestAugmentSeam: with Augment set, every train utterance's waveform goes
// through the transform once per epoch, each call with the generator of
// AugmentRNG(seed, epoch, utterance), and the run is reproducible.
func TestAugmentSeam(t *testing.T) {
	c := tinyCorpus(t, 6, 0.5)
	type key struct{ epoch, first uint64 }
	run := func(out string) (map[key]int, []Epoch) {
		var mu sync.Mutex
		seen := map[key]int{}
		o := testCNNOptions(c, out, 2)
		o.Augment = func(dst, x []float32, rng *rand.Rand) []float32 {
			g := float32(0.5 + rng.Float64())
			dst = append(dst[:0], x...)
			for i := range dst {
				dst[i] *= g
			}
			mu.Lock()
			seen[key{0, math32(g)}]++
			mu.Unlock()
			return dst
		}
		res, err := TrainCNN(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		return seen, res.Log
	}
	seen, log1 := run(filepath.Join(t.TempDir(), "a"))
	// 6 train utterances × 2 epochs, each with its own gain.
	if len(seen) != 12 {
		t.Errorf("%d distinct transforms, want 12 (6 utterances × 2 epochs)", len(seen))
	}
	want := map[key]int{}
	for e := 1; e <= 2; e++ {
		for u := 0; u < 6; u++ {
			want[key{0, math32(float32(0.5 + AugmentRNG(5, e, u).Float64()))}]++
		}
	}
	for k, n := range want {
		if seen[k] != n {
			t.Errorf("transform with gain bits %x seen %d times, want %d (not seeded by AugmentRNG?)", k.first, seen[k], n)
		}
	}
	_, log2 := run(filepath.Join(t.TempDir(), "b"))
	for i := range log1 {
		if log1[i].TrainLoss != log2[i].TrainLoss || log1[i].DevEER != log2[i].DevEER {
			t.Errorf("epoch %d differs between identical runs: %+v vs %+v", i+1, log1[i], log2[i])
		}
	}
}

func math32(f float32) uint64 { return uint64(math.Float32bits(f)) }

// TestAugmentUnchangedReusesClean: a transform that returns nil (nothing
// drawn) gives the epoch exactly the features that re-extracting the
// unchanged samples gives (an identity transform), for every utterance,
// and so does a features-only augmentation.
func TestAugmentUnchangedReusesClean(t *testing.T) {
	c := tinyCorpus(t, 6, 0.5)
	ctx := context.Background()
	o := testCNNOptions(c, t.TempDir(), 1)
	trials, err := c.Trials(corpus.Train)
	if err != nil {
		t.Fatal(err)
	}
	clean, err := extractTrials(ctx, c, corpus.Train, trials, o.Features, o.Limits, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	stats := features.NewStats(clean.dim)
	for i := range clean.utts {
		stats.Add(&clean.utts[i])
	}
	norm := stats.Result()
	for i := range clean.utts {
		norm.Apply(&clean.utts[i])
	}
	paths := trainPaths(c, trials)
	identity := func(dst, x []float32, _ *rand.Rand) []float32 { return append(dst[:0], x...) }
	unchanged := func(_, _ []float32, _ *rand.Rand) []float32 { return nil }
	mask := func(m *features.Matrix, rng *rand.Rand) { m.Data[rng.IntN(len(m.Data))] = 7 }
	for _, tc := range []struct {
		name string
		tf   WaveTransform
		ft   FeatureTransform
	}{{"unchanged", unchanged, nil}, {"unchanged+mask", unchanged, mask}, {"mask only", nil, mask}} {
		idFT := tc.ft
		want, err := augmentedSet(ctx, o.Features, o.Limits, paths, clean, norm, identity, idFT, 5, 1, 2)
		if err != nil {
			t.Fatal(err)
		}
		got, err := augmentedSet(ctx, o.Features, o.Limits, paths, clean, norm, tc.tf, tc.ft, 5, 1, 2)
		if err != nil {
			t.Fatal(err)
		}
		for i := range want.utts {
			w, g := want.utts[i], got.utts[i]
			if w.Rows != g.Rows || w.Cols != g.Cols || !slices.Equal(w.Data, g.Data) {
				t.Errorf("%s: utterance %d: features differ from re-extracting the unchanged samples", tc.name, i)
			}
		}
	}
}
