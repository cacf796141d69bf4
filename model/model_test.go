package model

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/deep4deep/deep4deep/audio"
	"github.com/deep4deep/deep4deep/features"
	"github.com/deep4deep/deep4deep/gmm"
	"github.com/deep4deep/deep4deep/internal/memtest"
)

// TestCNNMatchesPyTorch scores the fixture WAV with the fixture model (both
// written by testdata/make_fixture.py with NumPy and PyTorch) and compares
// with the score the reference pipeline computed: seed fbank → stored
// normalisation → 64×17 context images → eval-mode network → mean log-softmax
// difference.
func TestCNNMatchesPyTorch(t *testing.T) {
	var want struct {
		Score  float64 `json:"score"`
		Frames int     `json:"frames"`
	}
	data, err := os.ReadFile("testdata/cnn-expected.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	m, err := Load("testdata/cnn")
	if err != nil {
		t.Fatal(err)
	}
	// The frames the score averages over are the reference's.
	x, err := audio.Load("testdata/cnn.wav", m.Config.Features.SampleRate)
	if err != nil {
		t.Fatal(err)
	}
	ex, err := features.New(m.Config.Features)
	if err != nil {
		t.Fatal(err)
	}
	var fm features.Matrix
	if err := ex.Extract(&fm, x); err != nil {
		t.Fatal(err)
	}
	if fm.Rows != want.Frames || want.Frames == 0 {
		t.Fatalf("%d frames, PyTorch pipeline %d", fm.Rows, want.Frames)
	}
	// Tolerance: float32 network; measured |Go − PyTorch| 8e-7 with the
	// AVX-512 kernels and 2e-7 with -tags purego (relative 1e-7, a float32
	// ulp), allowed 5e-6.
	const tol = 5e-6
	for _, threads := range []int{1, 2} {
		sc, err := m.NewScorer(threads)
		if err != nil {
			t.Fatal(err)
		}
		got, err := sc.ScoreFile("testdata/cnn.wav")
		sc.Close()
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("threads %d: Go %.7f, PyTorch %.7f", threads, got, want.Score)
		if math.Abs(got-want.Score) > tol {
			t.Errorf("threads %d: score %.8f, PyTorch %.8f", threads, got, want.Score)
		}
	}
	// The batch API gives the same.
	scores, err := m.ScoreFiles(context.Background(), []string{"testdata/cnn.wav", "testdata/cnn.wav"}, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range scores {
		if math.Abs(s-want.Score) > tol {
			t.Errorf("ScoreFiles: %.8f, PyTorch %.8f", s, want.Score)
		}
	}
}

// TestCNNSaveLoad round-trips the fixture model through Save.
func TestCNNSaveLoad(t *testing.T) {
	m, err := Load("testdata/cnn")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "copy")
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	m2, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	s1 := scoreFile(t, m, "testdata/cnn.wav")
	s2 := scoreFile(t, m2, "testdata/cnn.wav")
	if s1 != s2 {
		t.Fatalf("saved copy scores %v, original %v", s2, s1)
	}
}

func scoreFile(t *testing.T, m *Model, path string) float64 {
	t.Helper()
	sc, err := m.NewScorer(1)
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	s, err := sc.ScoreFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestLoadErrors: every broken model directory is a clear error naming the
// file at fault.
func TestLoadErrors(t *testing.T) {
	cfg, err := os.ReadFile("testdata/cnn/config.json")
	if err != nil {
		t.Fatal(err)
	}
	weights, err := os.ReadFile("testdata/cnn/model.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	edit := func(f func(map[string]any)) []byte {
		var m map[string]any
		if err := json.Unmarshal(cfg, &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		b, _ := json.Marshal(m)
		return b
	}
	tests := []struct {
		name    string
		config  []byte // nil: no file
		weights []byte
		want    string // substring of the error
		file    string // file named in the error
	}{
		{"no config", nil, weights, "missing", ConfigFile},
		{"corrupt config", []byte("{\"format\": 1, \"kind\": "), weights, "unexpected end", ConfigFile},
		{"unknown kind", edit(func(m map[string]any) { m["kind"] = "svm" }), weights, "unknown model kind", ConfigFile},
		{"newer format", edit(func(m map[string]any) { m["format"] = 99 }), weights, "unsupported model format", ConfigFile},
		{"other features", edit(func(m map[string]any) {
			m["features"].(map[string]any)["num_filters"] = 40.0
		}), weights, "dimensions", ConfigFile},
		{"bad normalisation", edit(func(m map[string]any) {
			m["normalization"].(map[string]any)["std"].([]any)[3] = -1.0
		}), weights, "std[3]", ConfigFile},
		{"no weights", cfg, nil, "no such file", WeightsFile},
		{"truncated weights", cfg, weights[:len(weights)/2], "", WeightsFile},
		{"garbage weights", cfg, []byte("not a safetensors file at all"), "", WeightsFile},
		{"gmm config on cnn weights", edit(func(m map[string]any) { m["kind"] = "gmm"; m["components"] = 4.0 }), weights, "genuine.weights missing", WeightsFile},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.config != nil {
				os.WriteFile(filepath.Join(dir, ConfigFile), tc.config, 0o644)
			}
			if tc.weights != nil {
				os.WriteFile(filepath.Join(dir, WeightsFile), tc.weights, 0o644)
			}
			_, err := Load(dir)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.Contains(msg, filepath.Join(dir, tc.file)) || !strings.Contains(msg, tc.want) {
				t.Fatalf("error %q should name %s and say %q", msg, tc.file, tc.want)
			}
			if n := strings.Count(msg, filepath.Join(dir, tc.file)); n != 1 {
				t.Fatalf("error %q names %s %d times, want once", msg, tc.file, n)
			}
			if strings.Contains(msg, "\n") {
				t.Fatalf("error %q is not one line", msg)
			}
		})
	}
	if _, err := Load(filepath.Join(t.TempDir(), "nope")); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("missing directory: %v", err)
	}
}

// TestGMMScore checks the GMM scorer against the closed form for
// one-component mixtures: mean over frames of log N(x|μg,σg²) − log N(x|μs,σs²),
// with and without CMVN, before and after a save/load round trip.
func TestGMMScore(t *testing.T) {
	fc := features.DefaultConfig(features.MFCC)
	ex, err := features.New(fc)
	if err != nil {
		t.Fatal(err)
	}
	dim := ex.Dim()
	rng := rand.New(rand.NewPCG(3, 4))
	mk := func(shift float64) *gmm.GMM {
		g := &gmm.GMM{K: 1, Dim: dim, Weights: []float64{1}, Means: make([]float64, dim), Vars: make([]float64, dim)}
		for d := 0; d < dim; d++ {
			g.Means[d] = shift + rng.NormFloat64()
			g.Vars[d] = 0.5 + rng.Float64()
		}
		return g
	}
	gen, spoof := mk(0.3), mk(-0.2)
	fm := &features.Matrix{}
	fm.Resize(37, dim)
	for i := range fm.Data {
		fm.Data[i] = float32(rng.NormFloat64()*2 + 1)
	}
	logN := func(g *gmm.GMM, x []float32) float64 {
		s := 0.0
		for d, v := range x {
			e := float64(v) - g.Means[d]
			s += -0.5 * (math.Log(2*math.Pi*g.Vars[d]) + e*e/g.Vars[d])
		}
		return s
	}
	for _, cmvn := range []bool{false, true} {
		x := &features.Matrix{Rows: fm.Rows, Cols: fm.Cols, Data: append([]float32(nil), fm.Data...)}
		if cmvn {
			features.CMVN(x)
		}
		want := 0.0
		for r := 0; r < x.Rows; r++ {
			want += logN(gen, x.Row(r)) - logN(spoof, x.Row(r))
		}
		want /= float64(x.Rows)

		m, err := NewGMM(Config{Features: fc, CMVN: cmvn}, gen, spoof)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if err := m.Save(dir); err != nil {
			t.Fatal(err)
		}
		m2, err := Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		for i, mm := range []*Model{m, m2} {
			sc, err := mm.NewScorer(1)
			if err != nil {
				t.Fatal(err)
			}
			got, err := sc.ScoreFeatures(fm)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got-want) > 1e-6*math.Max(1, math.Abs(want)) {
				t.Errorf("cmvn %v model %d: score %v, want %v", cmvn, i, got, want)
			}
		}
	}
	// Frames of the wrong width are an error, not garbage.
	m, _ := NewGMM(Config{Features: fc}, gen, spoof)
	sc, _ := m.NewScorer(1)
	bad := &features.Matrix{}
	bad.Resize(4, dim+1)
	if _, err := sc.ScoreFeatures(bad); err == nil {
		t.Error("wrong feature width accepted")
	}
	if _, err := sc.ScoreFeatures(&features.Matrix{Cols: dim}); err == nil {
		t.Error("empty utterance accepted")
	}
}

// loadBudget bounds Load's allocations for a config.json of n bytes beside
// the fixture weights: reading and copying the 3.5 MB of weights and building
// the network twice cost 22 MB (measured); the config's JSON a small multiple
// of its size. A config that makes Load allocate for sizes it merely declares
// (an FFT size, a filter count, an architecture) fails the budget.
var loadBudget = memtest.Budget{PerByte: 64, Const: 40 << 20}

// FuzzLoadConfig: any config.json beside valid weights loads or fails with an
// error, never panics, within loadBudget.
func FuzzLoadConfig(f *testing.F) {
	cfg, err := os.ReadFile("testdata/cnn/config.json")
	if err != nil {
		f.Fatal(err)
	}
	weights, err := os.ReadFile("testdata/cnn/model.safetensors")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(cfg)
	f.Add([]byte(`{"format": 1, "kind": "gmm", "components": 2, "features": {"kind": "mfcc", "sample_rate": 16000}}`))
	f.Add([]byte(`{"format": 1, "kind": "cnn", "architecture": {"input_height": 64, "input_width": 17, "blocks": [{"channels": [4096, 4096], "pool_h": 1, "pool_w": 1}], "dense": [], "classes": 2}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, config []byte) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, ConfigFile), config, 0o644)
		os.WriteFile(filepath.Join(dir, WeightsFile), weights, 0o644)
		var (
			m   *Model
			err error
		)
		if e := loadBudget.Check(len(config), func() { m, err = Load(dir) }); e != nil {
			t.Fatal(e)
		}
		if err == nil && m.Config.Kind != CNN && m.Config.Kind != GMM {
			t.Fatalf("loaded a model of kind %q", m.Config.Kind)
		}
	})
}

// TestSplit: every core is used whatever the number of files (the bug was
// one file → one worker with one thread).
func TestSplit(t *testing.T) {
	for _, tc := range []struct{ cores, n, workers, threads int }{
		{2, 1, 1, 2},
		{2, 2, 2, 1},
		{2, 100, 2, 1},
		{8, 1, 1, 8},
		{8, 3, 3, 2},
		{8, 0, 1, 8},
		{1, 5, 1, 1},
	} {
		w, th := split(tc.cores, tc.n)
		if w != tc.workers || th != tc.threads {
			t.Errorf("split(%d cores, %d files) = %d workers × %d threads, want %d × %d", tc.cores, tc.n, w, th, tc.workers, tc.threads)
		}
	}
	if w, th := split(0, 1); w != 1 || th != runtime.GOMAXPROCS(0) {
		t.Errorf("split(0, 1) = %d × %d, want 1 × GOMAXPROCS (%d)", w, th, runtime.GOMAXPROCS(0))
	}
}

// TestErrNoFrames: audio shorter than one frame gives ErrNoFrames (declared
// in features, where it arises), through every layer that wraps it.
func TestErrNoFrames(t *testing.T) {
	m, err := Load("testdata/cnn")
	if err != nil {
		t.Fatal(err)
	}
	short := filepath.Join(t.TempDir(), "short.wav")
	if err := audio.WriteWAV16(short, make([]float32, 400), 16000); err != nil { // 400 samples: 0 frames
		t.Fatal(err)
	}
	sc, err := m.NewScorer(1)
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	_, err = sc.ScoreFile(short)
	if !errors.Is(err, ErrNoFrames) || !errors.Is(err, features.ErrNoFrames) {
		t.Errorf("ScoreFile: err = %v, want ErrNoFrames", err)
	}
	if n := strings.Count(err.Error(), short); n != 1 {
		t.Errorf("ScoreFile: %q names the file %d times, want once", err, n)
	}
	_, err = m.ScoreFiles(context.Background(), []string{"testdata/cnn.wav", short}, 2, nil)
	if !errors.Is(err, ErrNoFrames) || strings.Count(err.Error(), short) != 1 {
		t.Errorf("ScoreFiles: err = %v, want ErrNoFrames naming %s once", err, short)
	}
}
