package model

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/deep4deep/deep4deep/audio"
	"github.com/deep4deep/deep4deep/features"
	"github.com/deep4deep/deep4deep/gmm"
)

// benchFiles returns n copies of the 1.2 s fixture WAV path and its total
// audio duration in seconds.
func benchFiles(b *testing.B, n int) ([]string, float64) {
	x, err := audio.Load("testdata/cnn.wav", 16000)
	if err != nil {
		b.Fatal(err)
	}
	paths := make([]string, n)
	for i := range paths {
		paths[i] = "testdata/cnn.wav"
	}
	return paths, float64(n*len(x)) / 16000
}

func benchScore(b *testing.B, m *Model) {
	paths, seconds := benchFiles(b, 16)
	if _, err := m.ScoreFiles(context.Background(), paths[:2], 2, nil); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := m.ScoreFiles(context.Background(), paths, 2, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(seconds*float64(b.N)/b.Elapsed().Seconds(), "audio-s/s")
}

// BenchmarkScoreCNN is `deep4deep score` with the seed CNN (DESIGN §4.1) on 2 cores
// (files in parallel, one engine thread each): the real-time factor in audio
// seconds scored per wall second, decoding and fbank included.
func BenchmarkScoreCNN(b *testing.B) {
	m, err := Load("testdata/cnn")
	if err != nil {
		b.Fatal(err)
	}
	benchScore(b, m)
}

// BenchmarkScoreGMM is the same for the baseline: two 512-component GMMs
// on 90-dim CQCC features (the official CQCC-GMM), or on LFCC / MFCC when
// this build's CQCC extractor is not available.
func BenchmarkScoreGMM(b *testing.B) {
	var cfg features.Config
	for _, k := range []features.Kind{features.CQCC, features.LFCC, features.MFCC} {
		cfg = features.DefaultConfig(k)
		if _, err := features.New(cfg); err == nil {
			break
		}
	}
	ex, _ := features.New(cfg)
	dim := ex.Dim()
	rng := rand.New(rand.NewPCG(1, 2))
	mk := func() *gmm.GMM {
		const k = 512
		g := &gmm.GMM{K: k, Dim: dim, Weights: make([]float64, k), Means: make([]float64, k*dim), Vars: make([]float64, k*dim)}
		for i := range g.Weights {
			g.Weights[i] = 1.0 / k
		}
		for i := range g.Means {
			g.Means[i], g.Vars[i] = rng.NormFloat64(), 0.5+rng.Float64()
		}
		return g
	}
	m, err := NewGMM(Config{Features: cfg}, mk(), mk())
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("features %s (%d dims)", cfg.Kind, dim)
	benchScore(b, m)
}
