package audio

import (
	"bytes"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"
)

// TestFLACRoundTrip: a written FLAC decodes (CRCs and MD5 checked by the
// decoder) to exactly the 16-bit values of the WAV of the same samples,
// for lengths around the block size, and compresses speech-like audio.
func TestFLACRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 100, flacBlock - 1, flacBlock, flacBlock + 1, 3*flacBlock + 17} {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(0.3*math.Sin(float64(i)*0.05) + 0.01*r.NormFloat64())
		}
		x[0] = 1.5 // clipped
		var f, w bytes.Buffer
		if err := EncodeFLAC16(&f, x, 16000); err != nil {
			t.Fatal(err)
		}
		if err := EncodeWAV16(&w, x, 16000); err != nil {
			t.Fatal(err)
		}
		got, rate, err := Decode(f.Bytes())
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		want, _, _ := Decode(w.Bytes())
		if rate != 16000 || len(got) != n {
			t.Fatalf("n=%d: rate %d, %d samples", n, rate, len(got))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("n=%d: sample %d = %v, want %v", n, i, got[i], want[i])
			}
		}
		if n > 10000 && f.Len() >= w.Len() {
			t.Errorf("n=%d: FLAC %d bytes, WAV %d", n, f.Len(), w.Len())
		}
	}
	p := filepath.Join(t.TempDir(), "sub", "a.flac")
	if err := WriteFLAC16(p, []float32{0, 0.5, -0.5}, 16000); err != nil {
		t.Fatal(err)
	}
	if x, err := Load(p, 16000); err != nil || len(x) != 3 {
		t.Fatalf("Load = %v, %v", x, err)
	}
}
