package audio

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/deep4deep/deep4deep/internal/memtest"
)

// FuzzDecodeWAV feeds arbitrary bytes (seeded from testdata/fuzz and a few
// generated files) to Decode: it must never panic, and whatever it accepts
// must be a non-empty, finite signal at a rate in [MinRate, MaxRate]. Each
// call stays within decodeBudget (see hostile_test.go).
func FuzzDecodeWAV(f *testing.F) {
	f.Add(wavSpec{tag: 1, bits: 16, channels: 1, rate: 16000, frames: testFrames(1)}.bytes())
	f.Add(wavSpec{tag: 1, bits: 24, channels: 2, rate: 44100, extensible: true, frames: testFrames(2)}.bytes())
	f.Add(wavSpec{tag: 3, bits: 64, channels: 3, rate: 8000, frames: testFrames(3)}.bytes())
	f.Add(wavSpec{tag: 1, bits: 8, channels: 1, rate: 8000, frames: testFrames(1),
		before: []chunk{{"LIST", []byte{1, 2, 3}}}}.bytes())
	for _, name := range []string{"stereo16_22050.flac", "mono24_16000.flac", "hostile/flac_59min_badframe.flac"} {
		if b, err := os.ReadFile(filepath.Join("testdata", name)); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var (
			x    []float32
			rate int
			err  error
		)
		n := memtest.Allocated(func() { x, rate, err = Decode(data) })
		if budget := decodeBudget(data); n > budget {
			t.Fatalf("allocated %d bytes for %d input bytes, budget %d", n, len(data), budget)
		}
		if err != nil {
			if x != nil {
				t.Fatal("samples returned with an error")
			}
			return
		}
		if len(x) == 0 || rate < MinRate || rate > MaxRate {
			t.Fatalf("accepted %d samples at %d Hz", len(x), rate)
		}
		for i, v := range x {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatalf("sample %d is %v", i, v)
			}
		}
	})
}
