package features

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/deep4deep/deep4deep/audio"
)

// TestKernelAB (DEEP4DEEP_AB=1) times the fbank over the reference files
// with each kernel set, alternating, and logs the minimum per pass: on a
// loaded machine the minimum is the stable statistic.
func TestKernelAB(t *testing.T) {
	if os.Getenv("DEEP4DEEP_AB") == "" {
		t.Skip("DEEP4DEEP_AB not set")
	}
	wavs, _ := filepath.Glob("testdata/fbank/*.wav")
	var sigs [][]float32
	var secs float64
	for _, w := range wavs {
		x, _ := audio.Load(w, 16000)
		sigs = append(sigs, x)
		secs += float64(len(x)) / 16000
	}
	ex, _ := New(DefaultConfig(Fbank))
	var m Matrix
	a2 := useAVX2
	defer func() { useAVX2 = a2 }()
	sets := []bool{false, true}
	best := make([]time.Duration, len(sets))
	for rep := 0; rep < 300; rep++ {
		for i, s := range sets {
			useAVX2 = s
			t0 := time.Now()
			for _, x := range sigs {
				ex.Extract(&m, x)
			}
			d := time.Since(t0)
			if best[i] == 0 || d < best[i] {
				best[i] = d
			}
		}
	}
	for i, s := range sets {
		t.Logf("avx2=%v: min %v per pass, %.0f audio-s/s", s, best[i], secs/best[i].Seconds())
	}
}
