package augment

import (
	"testing"

	"github.com/deep4deep/deep4deep/features"
)

// BenchmarkWaveform measures the cost of each waveform transform on a 3 s
// utterance (the length of an ASVspoof 2017 trial), in audio seconds
// processed per second on one core, beside the fbank features the training
// pipeline computes from the same audio:
//
//	go test ./augment -run '^$' -bench Waveform
func BenchmarkWaveform(b *testing.B) {
	x := speechLike(9, 3*Rate, 0.3)
	specs := []string{"rawboost:1", "rawboost:2", "rawboost:3", "rawboost:4", "rawboost:5", "rawboost:8",
		"room", "device", "bandlimit", "noise", "gain"}
	for _, s := range specs {
		sp, err := Parse(s)
		if err != nil {
			b.Fatal(err)
		}
		a := New(sp)
		b.Run(s, func(b *testing.B) {
			i := 0
			for b.Loop() {
				a.Waveform(RNG(1, 0, i), x)
				i++
			}
			b.ReportMetric(float64(b.N)*3/b.Elapsed().Seconds(), "audio-s/s")
		})
	}
	b.Run("fbank-features", func(b *testing.B) {
		e, err := features.New(features.DefaultConfig(features.Fbank))
		if err != nil {
			b.Fatal(err)
		}
		var m features.Matrix
		for b.Loop() {
			if err := e.Extract(&m, x); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)*3/b.Elapsed().Seconds(), "audio-s/s")
	})
}
