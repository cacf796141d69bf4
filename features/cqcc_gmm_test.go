package features_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/deep4deep/deep4deep/features"
	"github.com/deep4deep/deep4deep/gmm"
)

// utterance synthesises one second of a voiced "talker" (a harmonic complex
// with a random f0 and vibrato, plus breath noise); replayed ones go through
// a crude loudspeaker: first-order high-pass at ~400 Hz, a two-pole
// low-pass at ~3.5 kHz and a little hum.
func utterance(rng *rand.Rand, replayed bool) []float32 {
	const fs, n = 16000.0, 16000
	f0 := 110 + 80*rng.Float64()
	x := make([]float64, n)
	phase := 0.0
	for i := range x {
		f := f0 * (1 + 0.02*math.Sin(2*math.Pi*5*float64(i)/fs))
		phase += 2 * math.Pi * f / fs
		s := 0.0
		for h := 1; h <= 30 && float64(h)*f < fs/2; h++ {
			s += math.Sin(float64(h)*phase) / float64(h)
		}
		x[i] = 0.2*s + 0.01*rng.NormFloat64()
	}
	if replayed {
		hp, prev := 0.0, 0.0
		a := math.Exp(-2 * math.Pi * 400 / fs)
		for i, v := range x { // y = a·(y + x − x_prev)
			hp = a * (hp + v - prev)
			prev = v
			x[i] = hp
		}
		r := math.Exp(-2 * math.Pi * 3500 / fs)
		y1, y2 := 0.0, 0.0
		for i, v := range x {
			y := (1-r)*(1-r)*v + 2*r*y1 - r*r*y2
			y2, y1 = y1, y
			x[i] = y + 0.005*math.Sin(2*math.Pi*50*float64(i)/fs)
		}
	}
	out := make([]float32, n)
	for i, v := range x {
		out[i] = float32(v)
	}
	return out
}

// End to end: the two-GMM baseline trained on CQCC or LFCC features of
// generated genuine and replayed utterances scores held-out utterances of
// each class on the right side of zero.
func TestGMMBaselineOnGeneratedSignals(t *testing.T) {
	for _, kind := range []features.Kind{features.CQCC, features.LFCC} {
		e, err := features.New(features.DefaultConfig(kind))
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(21, 22))
		extract := func(replayed bool) features.Matrix {
			var m features.Matrix
			if err := e.Extract(&m, utterance(rng, replayed)); err != nil {
				t.Fatal(err)
			}
			return m
		}
		var models [2]*gmm.GMM
		for class, replayed := range []bool{false, true} {
			var data []float32
			for range 3 {
				m := extract(replayed)
				data = append(data, m.Data...)
			}
			opt := gmm.DefaultOptions()
			opt.Components, opt.MaxIter = 4, 20
			g, err := gmm.Train(context.Background(), data, e.Dim(), opt, nil)
			if err != nil {
				t.Fatal(err)
			}
			models[class] = g
		}
		for i := range 4 {
			replayed := i%2 == 1
			m := extract(replayed)
			score := models[0].MeanLogLikelihood(m.Data) - models[1].MeanLogLikelihood(m.Data)
			if math.IsNaN(score) || (score > 0) == replayed {
				t.Errorf("%s: held-out utterance %d (replayed %v) scored %v", kind, i, replayed, score)
			}
		}
	}
}
