package train

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/deep4deep/deep4deep/audio"
	"github.com/deep4deep/deep4deep/corpus"
)

// tinyCorpus writes a corpus in the DESIGN §1 layout with n trials per set
// (half genuine): genuine = harmonic tone + broadband noise; spoof = the same
// through a crude "loudspeaker" (one-pole low-pass and soft clipping), so the
// classes differ in their high bands as replays do. seconds is the duration.
func tinyCorpus(t testing.TB, n int, seconds float64) corpus.Corpus {
	t.Helper()
	root := t.TempDir()
	c := corpus.Corpus{Root: root}
	const rate = 16000
	rng := rand.New(rand.NewPCG(7, 7))
	for _, set := range corpus.Sets {
		if err := os.MkdirAll(filepath.Join(root, corpus.SetDir(set)), 0o755); err != nil {
			t.Fatal(err)
		}
		var trials []corpus.Trial
		for i := 0; i < n; i++ {
			tr := corpus.Trial{
				File:    fmt.Sprintf("%c_%07d.wav", "TDE"[set], 1000001+i),
				Label:   corpus.Label(i % 2),
				Speaker: fmt.Sprintf("M%04d", 1+i%3), Phrase: fmt.Sprintf("S%02d", 1+i%10),
				Environment: corpus.NoCondition, Playback: corpus.NoCondition, Recorder: corpus.NoCondition,
			}
			if tr.Label == corpus.Spoof {
				tr.Environment, tr.Playback, tr.Recorder = fmt.Sprintf("E%02d", 1+i%3), "P01", "R01"
			}
			x := make([]float32, int(seconds*rate))
			f0 := 100 + 100*rng.Float64()
			lp := 0.0
			for k := range x {
				tt := float64(k) / rate
				v := 0.0
				for h := 1; h <= 6; h++ {
					v += 0.15 / float64(h) * math.Sin(2*math.Pi*float64(h)*f0*tt)
				}
				v += 0.05 * rng.NormFloat64()
				if tr.Label == corpus.Spoof {
					lp += 0.3 * (v - lp)
					v = math.Tanh(2*lp) / 2
				}
				x[k] = float32(v)
			}
			if err := audio.WriteWAV16(c.AudioPath(set, tr), x, rate); err != nil {
				t.Fatal(err)
			}
			trials = append(trials, tr)
		}
		if err := corpus.WriteProtocol(c.ProtocolPath(set), trials); err != nil {
			t.Fatal(err)
		}
	}
	return c
}
