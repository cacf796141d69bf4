package synth

import (
	"testing"

	"github.com/deep4deep/deep4deep/corpus"
)

// benchTrials is a fixed mix of rows from every set, in the real corpus's
// proportion of genuine and spoof rows (about 1:4).
func benchTrials() []corpus.Trial {
	p := Scale(GenerateProtocols(1), 0.004, 1)
	var ts []corpus.Trial
	for _, s := range corpus.Sets {
		ts = append(ts, p[s]...)
	}
	return ts
}

// BenchmarkRender measures single-goroutine synthesis speed in seconds of
// audio per second (audio-s/s); Generate runs one such renderer per core.
func BenchmarkRender(b *testing.B) {
	ts := benchTrials()
	g := NewRenderer(1, nil)
	var samples int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		x, err := g.Render(ts[i%len(ts)])
		if err != nil {
			b.Fatal(err)
		}
		samples += len(x)
	}
	b.ReportMetric(float64(samples)/Rate/b.Elapsed().Seconds(), "audio-s/s")
}
