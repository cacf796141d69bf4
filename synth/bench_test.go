package synth

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
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

// BenchmarkGenerate writes a 0.4 % corpus (about 90 files, 270 s of audio)
// with GOMAXPROCS workers and reports audio seconds per wall-clock second
// (audio-s/s, the figure to compare with real time: the full corpus is
// ~54,000 s of audio) and per CPU second (audio-s/cpu-s, which does not
// depend on how busy a shared machine is).
func BenchmarkGenerate(b *testing.B) {
	opts := Options{Scale: 0.004, Seed: 1, Workers: runtime.GOMAXPROCS(0)}
	var audioSec, cpu float64
	for i := 0; i < b.N; i++ {
		opts.Out = filepath.Join(b.TempDir(), "c")
		c0 := cpuSeconds()
		if err := Generate(context.Background(), opts); err != nil {
			b.Fatal(err)
		}
		cpu += cpuSeconds() - c0
		b.StopTimer()
		err := filepath.Walk(opts.Out, func(p string, fi os.FileInfo, err error) error {
			if err == nil && filepath.Ext(p) == ".wav" {
				audioSec += float64(fi.Size()-44) / 2 / Rate
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(audioSec/b.Elapsed().Seconds(), "audio-s/s")
	if cpu > 0 {
		b.ReportMetric(audioSec/cpu, "audio-s/cpu-s")
	}
}

// BenchmarkRender measures single-goroutine synthesis speed in seconds of
// audio per second (audio-s/s) and per CPU second; Generate runs one such
// renderer per core.
func BenchmarkRender(b *testing.B) {
	ts := benchTrials()
	g := NewRenderer(1, nil)
	var samples int
	b.ResetTimer()
	c0 := cpuSeconds()
	for i := 0; i < b.N; i++ {
		x, err := g.Render(ts[i%len(ts)])
		if err != nil {
			b.Fatal(err)
		}
		samples += len(x)
	}
	cpu := cpuSeconds() - c0
	b.ReportMetric(float64(samples)/Rate/b.Elapsed().Seconds(), "audio-s/s")
	if cpu > 0 {
		b.ReportMetric(float64(samples)/Rate/cpu, "audio-s/cpu-s")
	}
}
