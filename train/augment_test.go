package train

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
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
	paths, clean := cleanTrainSet(t, c, o)
	stats := features.NewStats(clean.dim)
	for i := range clean.utts {
		stats.Add(&clean.utts[i])
	}
	norm := stats.Result()
	for i := range clean.utts {
		norm.Apply(&clean.utts[i])
	}
	identity := func(dst, x []float32, _ *rand.Rand) []float32 { return append(dst[:0], x...) }
	unchanged := func(_, _ []float32, _ *rand.Rand) []float32 { return nil }
	mask := func(m *features.Matrix, rng *rand.Rand) { m.Data[rng.IntN(len(m.Data))] = 7 }
	for _, tc := range []struct {
		name string
		tf   WaveTransform
		ft   FeatureTransform
	}{{"unchanged", unchanged, nil}, {"unchanged+mask", unchanged, mask}, {"mask only", nil, mask}} {
		idFT := tc.ft
		want, err := augmentedSet(ctx, o.Features, o.Limits, paths, clean, norm, identity, idFT, 5, 1, 2, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := augmentedSet(ctx, o.Features, o.Limits, paths, clean, norm, tc.tf, tc.ft, 5, 1, 2, nil)
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

// TestEpochAugmenterPrefetch: the set an epoch gets from the background
// build is the one augmentedSet computes for that epoch on its own; the
// trainer's sets alternate between two blocks of memory; cancelling a
// build and asking for another epoch works; and a file that disappears
// before a background build fails that epoch with the file's name.
func TestEpochAugmenterPrefetch(t *testing.T) {
	c := tinyCorpus(t, 6, 0.5)
	ctx := context.Background()
	o := testCNNOptions(c, t.TempDir(), 1)
	paths, clean := cleanTrainSet(t, c, o)
	var norm features.Normalization
	norm.Mean, norm.Std = make([]float32, clean.dim), make([]float32, clean.dim)
	for d := range norm.Std {
		norm.Std[d] = 1
	}
	gain := func(dst, x []float32, rng *rand.Rand) []float32 {
		g := float32(0.5 + rng.Float64())
		dst = append(dst[:0], x...)
		for i := range dst {
			dst[i] *= g
		}
		return dst
	}
	a := &epochAugmenter{cfg: o.Features, lim: o.Limits, paths: paths, clean: clean, norm: norm, tf: gain, seed: 9, workers: 2}
	defer a.stop()
	mem := map[*frameSet]bool{}
	for epoch := 1; epoch <= 4; epoch++ {
		got, err := a.set(ctx, epoch)
		if err != nil {
			t.Fatal(err)
		}
		want, err := augmentedSet(ctx, o.Features, o.Limits, paths, clean, norm, gain, nil, 9, epoch, 1, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range want.utts {
			if !slices.Equal(got.utts[i].Data, want.utts[i].Data) {
				t.Fatalf("epoch %d, utterance %d: the prefetched set differs from augmentedSet's", epoch, i)
			}
		}
		mem[got] = true
		if len(got.arena.chunks) != 1 {
			t.Errorf("epoch %d: the set's arena has %d chunks, want 1 (reserved once, then reused)", epoch, len(got.arena.chunks))
		}
		if epoch == 2 {
			a.prefetch(7) // a build nobody asks for: cancelled by the next call
		} else {
			a.prefetch(epoch + 1)
		}
	}
	if len(mem) != 2 {
		t.Errorf("the epochs used %d sets, want 2 (alternating, memory reused)", len(mem))
	}

	a.prefetch(5)
	if err := os.Remove(paths[3]); err != nil {
		t.Fatal(err)
	}
	a.stop()
	a.prefetch(6)
	_, err := a.set(ctx, 6)
	if err == nil || !strings.Contains(err.Error(), filepath.Base(paths[3])) {
		t.Errorf("missing file in a background build: %v, want an error naming %s", err, filepath.Base(paths[3]))
	}
}

// cleanTrainSet returns the train paths of c and their clean features.
func cleanTrainSet(t *testing.T, c corpus.Corpus, o CNNOptions) ([]string, *frameSet) {
	t.Helper()
	trials, err := c.Trials(corpus.Train)
	if err != nil {
		t.Fatal(err)
	}
	clean, err := extractTrials(context.Background(), c, corpus.Train, trials, o.Features, o.Limits, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	return trainPaths(c, trials), clean
}
